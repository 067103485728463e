package org.tpmauth.attest.service.operator;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Who may open the operator pages: a TLS client whose certificate one of the operator CAs issued.
 * The TLS frontend has already validated the client's chain against the machine CA and the operator
 * CAs together; this decides which of them it leads to, so a machine certificate opens nothing.
 */
public final class OperatorAccess {
    private final List<X509Certificate> operatorCas;

    /**
     * @param operatorCas the CAs of operator certificates
     * @param machineCa   the service's CA, which must not be one of them
     */
    public OperatorAccess(List<X509Certificate> operatorCas, X509Certificate machineCa) {
        for (X509Certificate ca : operatorCas) {
            if (Arrays.equals(ca.getPublicKey().getEncoded(), machineCa.getPublicKey().getEncoded())) {
                throw new IllegalArgumentException("the operator CA " + ca.getSubjectX500Principal().getName()
                        + " has the machine CA's key: every machine certificate would open the operator pages; "
                        + "make a separate CA for operators (README, \"Operator's view\")");
            }
        }
        this.operatorCas = List.copyOf(operatorCas);
    }

    /** The operator a validated client chain (leaf first) belongs to; empty for a machine's or no chain. */
    Optional<Operator> operator(List<X509Certificate> chain) {
        List<X509Certificate> path = new ArrayList<>(chain);
        path.removeIf(operatorCas::contains); // an operator CA certificate the client sent along
        if (path.isEmpty()) {
            return Optional.empty();
        }
        X509Certificate top = path.get(path.size() - 1);
        return operatorCas.stream().anyMatch(ca -> issuedBy(top, ca)) ? Optional.of(Operator.of(chain.get(0)))
                : Optional.empty();
    }

    private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
        if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
