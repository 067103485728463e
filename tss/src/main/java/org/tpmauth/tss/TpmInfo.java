package org.tpmauth.tss;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * What a TPM is and what state it is in, from TPM2_GetCapability: vendor, firmware, spec level,
 * algorithms, PCR banks, free slots and dictionary-attack state.
 *
 * @param manufacturer      TPM_PT_MANUFACTURER as text ("IBM", "INTC", "MSFT" ...)
 * @param vendor            the TPM_PT_VENDOR_STRING_1..4 text
 * @param firmware          TPM_PT_FIRMWARE_VERSION_1/2 as "major.minor.x.y" and in hex
 * @param specVersion       family, level and revision ("2.0 level 0 revision 1.64")
 * @param specDate          "2019, day 309" from TPM_PT_YEAR / DAY_OF_YEAR
 * @param algorithms        algorithm names the TPM implements
 * @param pcrBanks          allocated PCR banks and their PCR counts
 * @param transientFree     TPM_PT_HR_TRANSIENT_AVAIL: object slots free now
 * @param sessionsFree      TPM_PT_HR_ACTIVE_AVAIL: session slots free now
 * @param persistentFree    TPM_PT_HR_PERSISTENT_AVAIL: persistent objects that still fit
 * @param persistentHandles handles persisted now
 * @param lockoutCounter    TPM_PT_LOCKOUT_COUNTER: failed authorizations counted
 * @param maxAuthFail       TPM_PT_MAX_AUTH_FAIL: failures before lockout
 * @param lockoutInterval   TPM_PT_LOCKOUT_INTERVAL: seconds to forget one failure
 * @param lockoutRecovery   TPM_PT_LOCKOUT_RECOVERY: seconds until lockoutAuth may be retried
 * @param inLockout         TPMA_PERMANENT.inLockout
 */
public record TpmInfo(String manufacturer, String vendor, String firmware, String specVersion, String specDate,
        List<String> algorithms, List<String> pcrBanks, int transientFree, int sessionsFree, int persistentFree,
        List<Integer> persistentHandles, int lockoutCounter, int maxAuthFail, int lockoutInterval,
        int lockoutRecovery, boolean inLockout) {

    public static TpmInfo read(Tpm tpm) {
        SortedMap<Integer, Integer> p = Capabilities.properties(tpm);
        int fw1 = p.getOrDefault(TpmPt.FIRMWARE_VERSION_1, 0);
        int fw2 = p.getOrDefault(TpmPt.FIRMWARE_VERSION_2, 0);
        int revision = p.getOrDefault(TpmPt.REVISION, 0);
        List<String> algorithms = Capabilities.algorithms(tpm).stream().map(a -> TpmAlg.nameOf(a.alg()))
                .collect(Collectors.toList());
        List<String> banks = new ArrayList<>();
        for (TpmsPcrSelection bank : Capabilities.pcrBanks(tpm)) {
            if (!bank.pcrs().isEmpty()) {
                banks.add(bank.hash().name().toLowerCase() + " (" + bank.pcrs().size() + " PCRs)");
            }
        }
        StringBuilder vendor = new StringBuilder();
        for (int pt = TpmPt.VENDOR_STRING_1; pt <= TpmPt.VENDOR_STRING_4; pt++) {
            if (p.containsKey(pt)) {
                vendor.append(TpmPt.ascii(p.get(pt)));
            }
        }
        return new TpmInfo(TpmPt.ascii(p.getOrDefault(TpmPt.MANUFACTURER, 0)).trim(), vendor.toString().trim(),
                String.format("%d.%d.%d.%d (0x%08x 0x%08x)", fw1 >>> 16, fw1 & 0xffff, fw2 >>> 16, fw2 & 0xffff, fw1, fw2),
                String.format("%s level %d revision %d.%02d", TpmPt.ascii(p.getOrDefault(TpmPt.FAMILY_INDICATOR, 0))
                        .trim(), p.getOrDefault(TpmPt.LEVEL, 0), revision / 100, revision % 100),
                String.format("%d, day %d", p.getOrDefault(TpmPt.YEAR, 0), p.getOrDefault(TpmPt.DAY_OF_YEAR, 0)),
                algorithms, banks, p.getOrDefault(TpmPt.HR_TRANSIENT_AVAIL, 0),
                p.getOrDefault(TpmPt.HR_ACTIVE_AVAIL, 0), p.getOrDefault(TpmPt.HR_PERSISTENT_AVAIL, 0),
                Capabilities.handles(tpm, TpmHandles.HT_PERSISTENT), p.getOrDefault(TpmPt.LOCKOUT_COUNTER, 0),
                p.getOrDefault(TpmPt.MAX_AUTH_FAIL, 0), p.getOrDefault(TpmPt.LOCKOUT_INTERVAL, 0),
                p.getOrDefault(TpmPt.LOCKOUT_RECOVERY, 0),
                (p.getOrDefault(TpmPt.PERMANENT, 0) & TpmPt.PERMANENT_IN_LOCKOUT) != 0);
    }
}
