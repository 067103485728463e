package org.tpmauth.pkcs11;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.tpmauth.pkcs11.RpcMessage.AttributeQuery;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.UlongArray;
import org.tpmauth.pkcs11.RpcMessage.Version;

/**
 * What one connection is: one PKCS#11 application with its sessions, its login and their find and sign
 * operations. It answers each request with the response's values or a CK_RV; {@link #close} (at
 * C_Finalize or when the program goes away) forgets everything, the PIN included.
 */
final class Application implements AutoCloseable {
    private static final Version CRYPTOKI = new Version(2, 40);
    private static final Version TOKEN_VERSION = new Version(0, 1);
    static final byte[] HANDSHAKE = "PRIVATE-GNOME-KEYRING-PKCS11-PROTOCOL-V-1".getBytes(StandardCharsets.US_ASCII);
    private static final long EC_FLAGS = 0x100000 | 0x800000 | 0x2000000; // CKF_EC_F_P | NAMEDCURVE | UNCOMPRESS

    private final Token token;
    private final Map<Long, Session> sessions = new HashMap<>();
    private long nextSession = 1;
    private byte[] pin;
    private boolean loggedIn;

    /** One open session and its active operations. */
    private static final class Session {
        final long flags;
        Iterator<TokenObject> found;
        SignOperation signing;

        Session(long flags) {
            this.flags = flags;
        }
    }

    Application(Token token) {
        this.token = token;
    }

    /** The response values of a request, or a Pkcs11Exception carrying the CK_RV for an error response. */
    List<Object> handle(RpcCall call, RpcMessage request) throws Pkcs11Exception {
        return switch (call) {
            case C_INITIALIZE -> initialize(request);
            case C_FINALIZE -> {
                close();
                yield List.of();
            }
            case C_GET_INFO -> List.of(CRYPTOKI, padded("tpmauth", 32), 0L, padded("tpmauth TPM 2.0 token", 32),
                    TOKEN_VERSION);
            case C_GET_SLOT_LIST -> List.of(ulongs(request.capacity(1), Token.SLOT_ID));
            case C_GET_SLOT_INFO -> {
                slot(request.ulong(0));
                yield List.of(padded("tpmauth " + token.label(), 64), padded(token.manufacturer(), 32),
                        Pkcs11.CKF_TOKEN_PRESENT | Pkcs11.CKF_HW_SLOT, TOKEN_VERSION, TOKEN_VERSION);
            }
            case C_GET_TOKEN_INFO -> tokenInfo(request);
            case C_GET_MECHANISM_LIST -> {
                slot(request.ulong(0));
                yield List.of(ulongs(request.capacity(1), token.mechanismList()));
            }
            case C_GET_MECHANISM_INFO -> mechanismInfo(request);
            case C_OPEN_SESSION -> openSession(request);
            case C_CLOSE_SESSION -> {
                session(request.ulong(0));
                sessions.remove(request.ulong(0));
                logoutIfNoSessions();
                yield List.of();
            }
            case C_CLOSE_ALL_SESSIONS -> {
                slot(request.ulong(0));
                sessions.clear();
                logoutIfNoSessions();
                yield List.of();
            }
            case C_GET_SESSION_INFO -> {
                Session s = session(request.ulong(0));
                boolean rw = (s.flags & Pkcs11.CKF_RW_SESSION) != 0;
                long state = loggedIn ? (rw ? Pkcs11.CKS_RW_USER_FUNCTIONS : Pkcs11.CKS_RO_USER_FUNCTIONS)
                        : (rw ? Pkcs11.CKS_RW_PUBLIC_SESSION : Pkcs11.CKS_RO_PUBLIC_SESSION);
                yield List.of(Token.SLOT_ID, state, s.flags, 0L);
            }
            case C_LOGIN -> login(request);
            case C_LOGOUT -> {
                session(request.ulong(0));
                if (!loggedIn) {
                    throw new Pkcs11Exception(Pkcs11.CKR_USER_NOT_LOGGED_IN, "C_Logout without a login");
                }
                logout();
                yield List.of();
            }
            case C_GET_ATTRIBUTE_VALUE -> attributeValues(request);
            case C_FIND_OBJECTS_INIT -> {
                Session s = session(request.ulong(0));
                if (s.found != null) {
                    throw new Pkcs11Exception(Pkcs11.CKR_OPERATION_ACTIVE, "a search is already active");
                }
                List<Attribute> template = request.attributes(1);
                s.found = token.objects().stream().filter(this::visible).filter(o -> o.matches(template)).iterator();
                yield List.of();
            }
            case C_FIND_OBJECTS -> {
                Session s = session(request.ulong(0));
                if (s.found == null) {
                    throw new Pkcs11Exception(Pkcs11.CKR_OPERATION_NOT_INITIALIZED, "C_FindObjects without C_FindObjectsInit");
                }
                List<Long> handles = new ArrayList<>();
                while (handles.size() < request.capacity(1) && s.found.hasNext()) {
                    handles.add(s.found.next().handle());
                }
                yield List.of(UlongArray.of(handles.stream().mapToLong(Long::longValue).toArray()));
            }
            case C_FIND_OBJECTS_FINAL -> {
                Session s = session(request.ulong(0));
                if (s.found == null) {
                    throw new Pkcs11Exception(Pkcs11.CKR_OPERATION_NOT_INITIALIZED, "no search is active");
                }
                s.found = null;
                yield List.of();
            }
            case C_SIGN_INIT -> signInit(request);
            case C_SIGN -> sign(request, true);
            case C_SIGN_UPDATE -> {
                Session s = signingSession(request.ulong(0));
                updateOrEnd(s, request.bytes(1));
                yield List.of();
            }
            case C_SIGN_FINAL -> sign(request, false);
            default -> throw new Pkcs11Exception(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED, call.displayName()
                    + " is not supported by this token");
        };
    }

    private List<Object> initialize(RpcMessage request) throws Pkcs11Exception {
        if (!Arrays.equals(HANDSHAKE, request.bytes(0))) {
            throw new Pkcs11Exception(Pkcs11.CKR_GENERAL_ERROR, "C_Initialize without p11-kit's handshake string");
        }
        return List.of();
    }

    private List<Object> tokenInfo(RpcMessage request) throws Pkcs11Exception {
        slot(request.ulong(0));
        long flags = Pkcs11.CKF_TOKEN_INITIALIZED | Pkcs11.CKF_USER_PIN_INITIALIZED
                | (token.loginRequired() ? Pkcs11.CKF_LOGIN_REQUIRED : 0)
                | (token.pinLocked() ? Pkcs11.CKF_USER_PIN_LOCKED : 0);
        long rw = sessions.values().stream().filter(s -> (s.flags & Pkcs11.CKF_RW_SESSION) != 0).count();
        return List.of(padded(token.label(), Token.LABEL_SIZE), padded(token.manufacturer(), 32), padded("TPM 2.0", 16),
                padded(token.serial(), 16), flags, 0L, (long) sessions.size(), 0L, rw, 256L, 0L,
                Pkcs11.UNAVAILABLE, Pkcs11.UNAVAILABLE, Pkcs11.UNAVAILABLE, Pkcs11.UNAVAILABLE, TOKEN_VERSION,
                TOKEN_VERSION, padded("", 16));
    }

    private List<Object> mechanismInfo(RpcMessage request) throws Pkcs11Exception {
        slot(request.ulong(0));
        long type = request.ulong(1);
        SignMechanism m = SignMechanism.of(type).filter(x -> token.mechanisms().contains(x.type)).orElseThrow(
                () -> new Pkcs11Exception(Pkcs11.CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(type)
                        + " is not offered"));
        return m.rsa ? List.of(1024L, 4096L, Pkcs11.CKF_HW | Pkcs11.CKF_SIGN)
                : List.of(256L, 521L, Pkcs11.CKF_HW | Pkcs11.CKF_SIGN | EC_FLAGS);
    }

    private List<Object> openSession(RpcMessage request) throws Pkcs11Exception {
        slot(request.ulong(0));
        long flags = request.ulong(1);
        if ((flags & Pkcs11.CKF_SERIAL_SESSION) == 0) {
            throw new Pkcs11Exception(Pkcs11.CKR_SESSION_PARALLEL_NOT_SUPPORTED, "sessions must be serial");
        }
        long handle = nextSession++;
        sessions.put(handle, new Session(flags));
        return List.of(handle);
    }

    private List<Object> login(RpcMessage request) throws Pkcs11Exception {
        session(request.ulong(0));
        long user = request.ulong(1);
        if (user != Pkcs11.CKU_USER && user != Pkcs11.CKU_CONTEXT_SPECIFIC) {
            throw new Pkcs11Exception(Pkcs11.CKR_USER_TYPE_INVALID, "only the normal user logs in to this token");
        }
        if (loggedIn && user == Pkcs11.CKU_USER) {
            throw new Pkcs11Exception(Pkcs11.CKR_USER_ALREADY_LOGGED_IN, "already logged in");
        }
        byte[] given = request.bytes(2) == null ? new byte[0] : request.bytes(2);
        token.checkPin(given);
        logout();
        pin = given.clone();
        loggedIn = true;
        return List.of();
    }

    private List<Object> attributeValues(RpcMessage request) throws Pkcs11Exception {
        session(request.ulong(0));
        TokenObject object = visibleObject(request.ulong(1));
        List<Attribute> out = new ArrayList<>();
        long rv = Pkcs11.CKR_OK;
        for (AttributeQuery q : request.queries(2)) {
            Attribute a = object.attributes().get(q.type());
            if (object.isSensitive(q.type())) {
                out.add(Attribute.unavailable(q.type()));
                rv = Pkcs11.CKR_ATTRIBUTE_SENSITIVE;
            } else if (a == null) {
                out.add(Attribute.unavailable(q.type()));
                rv = rv == Pkcs11.CKR_ATTRIBUTE_SENSITIVE ? rv : Pkcs11.CKR_ATTRIBUTE_TYPE_INVALID;
            } else if (q.bufferLength() != 0 && q.bufferLength() < a.length()) {
                out.add(Attribute.unavailable(q.type()));
                rv = rv == Pkcs11.CKR_OK ? Pkcs11.CKR_BUFFER_TOO_SMALL : rv;
            } else {
                out.add(a); // a size query (length 0) gets the value too; p11-kit's client takes the length
            }
        }
        return List.of(out, rv);
    }

    private List<Object> signInit(RpcMessage request) throws Pkcs11Exception {
        Session s = session(request.ulong(0));
        if (s.signing != null) {
            throw new Pkcs11Exception(Pkcs11.CKR_OPERATION_ACTIVE, "a signature is already in progress");
        }
        TokenObject key = token.object(request.ulong(2)).filter(TokenObject::isPrivateKey).filter(this::visible)
                .orElseThrow(() -> new Pkcs11Exception(Pkcs11.CKR_KEY_HANDLE_INVALID, "no private key with handle "
                        + request.ulong(2)));
        if (token.loginRequired() && !loggedIn) {
            throw new Pkcs11Exception(Pkcs11.CKR_USER_NOT_LOGGED_IN, "log in before signing");
        }
        s.signing = SignOperation.start(request.mechanism(1), token.privateKey(key.alias(), pin));
        return List.of();
    }

    /**
     * C_Sign (data, then the signature) and C_SignFinal: a size query or a too-small buffer gets the
     * length and keeps the operation; a signature or an error ends it.
     */
    private List<Object> sign(RpcMessage request, boolean withData) throws Pkcs11Exception {
        Session s = signingSession(request.ulong(0));
        long capacity = request.capacity(withData ? 2 : 1);
        if (capacity < s.signing.signatureLength) {
            return List.of(ByteArray.lengthOnly(s.signing.signatureLength));
        }
        SignOperation operation = s.signing;
        s.signing = null;
        if (withData) {
            operation.update(request.bytes(1) == null ? new byte[0] : request.bytes(1));
        }
        return List.of(ByteArray.of(token.sign(operation)));
    }

    private void updateOrEnd(Session s, byte[] part) throws Pkcs11Exception {
        try {
            s.signing.update(part == null ? new byte[0] : part);
        } catch (Pkcs11Exception e) {
            s.signing = null;
            throw e;
        }
    }

    private Session signingSession(long handle) throws Pkcs11Exception {
        Session s = session(handle);
        if (s.signing == null) {
            throw new Pkcs11Exception(Pkcs11.CKR_OPERATION_NOT_INITIALIZED, "no C_SignInit on this session");
        }
        return s;
    }

    private Session session(long handle) throws Pkcs11Exception {
        Session s = sessions.get(handle);
        if (s == null) {
            throw new Pkcs11Exception(Pkcs11.CKR_SESSION_HANDLE_INVALID, "no session " + handle);
        }
        return s;
    }

    private static void slot(long id) throws Pkcs11Exception {
        if (id != Token.SLOT_ID) {
            throw new Pkcs11Exception(Pkcs11.CKR_SLOT_ID_INVALID, "no slot " + id);
        }
    }

    /** Private objects of a token that needs a login stay hidden until then. */
    private boolean visible(TokenObject o) {
        return loggedIn || !token.loginRequired() || !o.isPrivateKey();
    }

    private TokenObject visibleObject(long handle) throws Pkcs11Exception {
        return token.object(handle).filter(this::visible).orElseThrow(() -> new Pkcs11Exception(
                Pkcs11.CKR_OBJECT_HANDLE_INVALID, "no object " + handle));
    }

    private void logoutIfNoSessions() {
        if (sessions.isEmpty()) {
            logout();
        }
    }

    private void logout() {
        loggedIn = false;
        if (pin != null) {
            Arrays.fill(pin, (byte) 0);
            pin = null;
        }
    }

    /** An {@code au} answer: the items if the caller's buffer holds them, else only their count. */
    private static UlongArray ulongs(long capacity, long... items) {
        return capacity < items.length || capacity == 0 ? UlongArray.countOnly(items.length) : UlongArray.of(items);
    }

    /** A fixed-size blank-padded UTF-8 string field (CK_UTF8CHAR[n]), cut to fit. */
    static byte[] padded(String text, int size) {
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) ' ');
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, out, 0, Math.min(size, bytes.length));
        return out;
    }

    @Override
    public void close() {
        sessions.clear();
        logout();
    }
}
