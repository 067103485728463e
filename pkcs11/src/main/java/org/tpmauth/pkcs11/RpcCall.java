package org.tpmauth.pkcs11;

import java.util.HashMap;
import java.util.Map;

/**
 * The calls of p11-kit's RPC protocol with their ids and their request and response signatures
 * (p11-kit/rpc-message.h; ids 66 and up only come from p11-kit 0.25 and later).
 */
public enum RpcCall {
    ERROR(0, null, "u"),
    C_INITIALIZE(1, "ayyay", ""),
    C_FINALIZE(2, "", ""),
    C_GET_INFO(3, "", "vsusv"),
    C_GET_SLOT_LIST(4, "yfu", "au"),
    C_GET_SLOT_INFO(5, "u", "ssuvv"),
    C_GET_TOKEN_INFO(6, "u", "ssssuuuuuuuuuuuvvs"),
    C_GET_MECHANISM_LIST(7, "ufu", "au"),
    C_GET_MECHANISM_INFO(8, "uu", "uuu"),
    C_INIT_TOKEN(9, "uayz", ""),
    C_OPEN_SESSION(10, "uu", "u"),
    C_CLOSE_SESSION(11, "u", ""),
    C_CLOSE_ALL_SESSIONS(12, "u", ""),
    C_GET_SESSION_INFO(13, "u", "uuuu"),
    C_INIT_PIN(14, "uay", ""),
    C_SET_PIN(15, "uayay", ""),
    C_GET_OPERATION_STATE(16, "ufy", "ay"),
    C_SET_OPERATION_STATE(17, "uayuu", ""),
    C_LOGIN(18, "uuay", ""),
    C_LOGOUT(19, "u", ""),
    C_CREATE_OBJECT(20, "uaA", "u"),
    C_COPY_OBJECT(21, "uuaA", "u"),
    C_DESTROY_OBJECT(22, "uu", ""),
    C_GET_OBJECT_SIZE(23, "uu", "u"),
    C_GET_ATTRIBUTE_VALUE(24, "uufA", "aAu"),
    C_SET_ATTRIBUTE_VALUE(25, "uuaA", ""),
    C_FIND_OBJECTS_INIT(26, "uaA", ""),
    C_FIND_OBJECTS(27, "ufu", "au"),
    C_FIND_OBJECTS_FINAL(28, "u", ""),
    C_ENCRYPT_INIT(29, "uMu", ""),
    C_ENCRYPT(30, "uayfy", "ay"),
    C_ENCRYPT_UPDATE(31, "uayfy", "ay"),
    C_ENCRYPT_FINAL(32, "ufy", "ay"),
    C_DECRYPT_INIT(33, "uMu", ""),
    C_DECRYPT(34, "uayfy", "ay"),
    C_DECRYPT_UPDATE(35, "uayfy", "ay"),
    C_DECRYPT_FINAL(36, "ufy", "ay"),
    C_DIGEST_INIT(37, "uM", ""),
    C_DIGEST(38, "uayfy", "ay"),
    C_DIGEST_UPDATE(39, "uay", ""),
    C_DIGEST_KEY(40, "uu", ""),
    C_DIGEST_FINAL(41, "ufy", "ay"),
    C_SIGN_INIT(42, "uMu", ""),
    C_SIGN(43, "uayfy", "ay"),
    C_SIGN_UPDATE(44, "uay", ""),
    C_SIGN_FINAL(45, "ufy", "ay"),
    C_SIGN_RECOVER_INIT(46, "uMu", ""),
    C_SIGN_RECOVER(47, "uayfy", "ay"),
    C_VERIFY_INIT(48, "uMu", ""),
    C_VERIFY(49, "uayay", ""),
    C_VERIFY_UPDATE(50, "uay", ""),
    C_VERIFY_FINAL(51, "uay", ""),
    C_VERIFY_RECOVER_INIT(52, "uMu", ""),
    C_VERIFY_RECOVER(53, "uayfy", "ay"),
    C_DIGEST_ENCRYPT_UPDATE(54, "uayfy", "ay"),
    C_DECRYPT_DIGEST_UPDATE(55, "uayfy", "ay"),
    C_SIGN_ENCRYPT_UPDATE(56, "uayfy", "ay"),
    C_DECRYPT_VERIFY_UPDATE(57, "uayfy", "ay"),
    C_GENERATE_KEY(58, "uMaA", "u"),
    C_GENERATE_KEY_PAIR(59, "uMaAaA", "uu"),
    C_WRAP_KEY(60, "uMuufy", "ay"),
    C_UNWRAP_KEY(61, "uMuayaA", "u"),
    C_DERIVE_KEY(62, "uMuaA", "u"),
    C_SEED_RANDOM(63, "uay", ""),
    C_GENERATE_RANDOM(64, "ufy", "ay"),
    C_WAIT_FOR_SLOT_EVENT(65, "u", "u"),
    C_LOGIN_USER(66, "uuayay", ""),
    C_SESSION_CANCEL(67, "uu", ""),
    C_MESSAGE_ENCRYPT_INIT(68, "uMu", ""),
    C_ENCRYPT_MESSAGE(69, "uayayayfy", "ay"),
    C_ENCRYPT_MESSAGE_BEGIN(70, "uayay", ""),
    C_ENCRYPT_MESSAGE_NEXT(71, "uayayfyu", "ay"),
    C_MESSAGE_ENCRYPT_FINAL(72, "u", ""),
    C_MESSAGE_DECRYPT_INIT(73, "uMu", ""),
    C_DECRYPT_MESSAGE(74, "uayayayfy", "ay"),
    C_DECRYPT_MESSAGE_BEGIN(75, "uayay", ""),
    C_DECRYPT_MESSAGE_NEXT(76, "uayayfyu", "ay"),
    C_MESSAGE_DECRYPT_FINAL(77, "u", ""),
    C_MESSAGE_SIGN_INIT(78, "uMu", ""),
    C_SIGN_MESSAGE(79, "uayayfy", "ay"),
    C_SIGN_MESSAGE_BEGIN(80, "uay", ""),
    C_SIGN_MESSAGE_NEXT(81, "uayayyfy", "ay"),
    C_MESSAGE_SIGN_FINAL(82, "u", ""),
    C_MESSAGE_VERIFY_INIT(83, "uMu", ""),
    C_VERIFY_MESSAGE(84, "uayayay", ""),
    C_VERIFY_MESSAGE_BEGIN(85, "uay", ""),
    C_VERIFY_MESSAGE_NEXT(86, "uayayay", ""),
    C_MESSAGE_VERIFY_FINAL(87, "u", ""),
    C_INIT_TOKEN2(88, "uays", ""),
    C_DERIVE_KEY2(89, "uMuaA", "uPu");

    private static final Map<Long, RpcCall> BY_ID = new HashMap<>();

    static {
        for (RpcCall c : values()) {
            BY_ID.put(c.id, c);
        }
    }

    final long id;
    final String request;
    final String response;

    RpcCall(long id, String request, String response) {
        this.id = id;
        this.request = request;
        this.response = response;
    }

    /** The call with this id, or {@code null}. */
    static RpcCall byId(long id) {
        return BY_ID.get(id);
    }

    /** "C_GetAttributeValue" style. */
    String displayName() {
        StringBuilder b = new StringBuilder("C_");
        for (String word : name().substring(2).split("_")) {
            b.append(word.charAt(0)).append(word.substring(1).toLowerCase());
        }
        return b.toString();
    }
}
