package io.tessera.scheduler.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The network-interface variables of a node, from its labels: {@code nic} (an interface name such
 * as {@code eth0} or {@code ib0}) and {@code nicIp} (that interface's address). Each collective
 * library has its own variable: NCCL {@code NCCL_SOCKET_IFNAME}; HCCL {@code HCCL_SOCKET_IFNAME} and
 * {@code HCCL_IF_IP}; Gloo (the bridge, and the gang's host-side world group)
 * {@code GLOO_SOCKET_IFNAME}; any library {@code TESSERA_COMM_IFNAME} and {@code TESSERA_COMM_IF_IP},
 * for a plug-in to read. A label that is not a plausible interface name or address is ignored. Pure.
 */
final class InterfaceHints {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]{2,39}");

    private InterfaceHints() {
    }

    /** The variables for a node with {@code labels} whose shards use {@code libraries}; empty without labels. */
    static Map<String, String> of(Map<String, String> labels, Set<String> libraries) {
        String nic = valid(labels.get("nic"), NAME);
        String ip = valid(labels.get("nicIp"), ADDRESS);
        Map<String, String> env = new LinkedHashMap<>();
        if (nic == null && ip == null) {
            return env;
        }
        boolean nccl = libraries.contains("nccl");
        boolean hccl = libraries.contains("hccl");
        if (nic != null) {
            env.put("TESSERA_COMM_IFNAME", nic);
            env.put("GLOO_SOCKET_IFNAME", nic);
            if (nccl) {
                env.put("NCCL_SOCKET_IFNAME", nic);
            }
            if (hccl) {
                env.put("HCCL_SOCKET_IFNAME", nic);
            }
        }
        if (ip != null) {
            env.put("TESSERA_COMM_IF_IP", ip);
            if (hccl) {
                env.put("HCCL_IF_IP", ip);
            }
        }
        return env;
    }

    private static String valid(String value, Pattern pattern) {
        return value != null && pattern.matcher(value).matches() ? value : null;
    }
}
