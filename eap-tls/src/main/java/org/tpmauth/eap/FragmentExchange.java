package org.tpmauth.eap;

/**
 * The fragment bookkeeping of one side of EAP-TLS: while our message is out in fragments, the other
 * side may only acknowledge; its own fragments are acknowledged until its message is whole.
 */
final class FragmentExchange {
    /** What a received fragment leads to. */
    sealed interface Step {
    }

    /** Send this fragment (our next one, or an acknowledgement). */
    record Send(EapTlsFragment fragment) implements Step {
    }

    /** The other side's message is complete (empty: it acknowledged our whole message and has nothing to say). */
    record Message(byte[] tls) implements Step {
    }

    private final EapTlsConfig config;
    private final Reassembler reassembler;
    private Fragmenter outgoing;

    FragmentExchange(EapTlsConfig config) {
        this.config = config;
        this.reassembler = new Reassembler(config.maxMessageSize());
    }

    Step receive(EapTlsFragment f) throws EapTlsException {
        if (outgoing != null && outgoing.hasNext()) {
            if (!f.isAck()) {
                throw new EapTlsException("expected an acknowledgement of our fragment, received " + f);
            }
            return new Send(outgoing.next());
        }
        byte[] message = reassembler.add(f);
        return message == null ? new Send(EapTlsFragment.ack()) : new Message(message);
    }

    /** The first fragment of our message; an empty message is an acknowledgement. */
    EapTlsFragment send(byte[] tls) {
        if (tls.length == 0) {
            outgoing = null;
            return EapTlsFragment.ack();
        }
        outgoing = new Fragmenter(tls, config.fragmentData());
        return outgoing.next();
    }
}
