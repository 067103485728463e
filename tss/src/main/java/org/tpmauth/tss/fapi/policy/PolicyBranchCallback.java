package org.tpmauth.tss.fapi.policy;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Picks the branch of a PolicyOR that a policy session takes, as FAPI's branch callback
 * ({@code Fapi_SetBranchCB}) does: it sees the branches' names in the policy's order and returns the
 * index of one, or {@link #AUTOMATIC} to let tpmauth take the one branch that holds (and name them
 * all when several hold).
 */
@FunctionalInterface
public interface PolicyBranchCallback {
    /** No choice: take the branch that holds, if exactly one does. */
    int AUTOMATIC = -1;

    /** Chooses nothing: every PolicyOR takes the one branch that holds. */
    PolicyBranchCallback NONE = (objectPath, description, branchNames) -> AUTOMATIC;

    /**
     * The index in {@code branchNames} of the branch to take, or {@link #AUTOMATIC}.
     *
     * @param objectPath  the keystore path of the object whose policy runs
     * @param description that object's description
     * @param branchNames the PolicyOR's branch names ({@code name}), in order
     */
    int select(String objectPath, String description, List<String> branchNames);

    /**
     * Takes the branch whose name is one of {@code names} (what {@code --policy-branch NAME} gives, once
     * per nested PolicyOR), and {@link #AUTOMATIC} where no branch has such a name.
     */
    static PolicyBranchCallback byName(Collection<String> names) {
        Set<String> wanted = Set.copyOf(names);
        return (objectPath, description, branchNames) -> {
            for (int i = 0; i < branchNames.size(); i++) {
                if (wanted.contains(branchNames.get(i))) {
                    return i;
                }
            }
            return AUTOMATIC;
        };
    }
}
