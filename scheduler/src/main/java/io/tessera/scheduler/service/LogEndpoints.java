package io.tessera.scheduler.service;

import io.tessera.config.wire.LogEndpoint;

/**
 * Where the scheduler reads a node's logs: the port the node's agent names, on the address the
 * agent connected from (the node's enrolled identity on the wire), never a host the agent merely
 * claims. Pure.
 */
final class LogEndpoints {
    private LogEndpoints() {
    }

    /** {@code claimed} moved onto {@code peer}; null stays null (an agent that serves no logs). */
    static LogEndpoint onPeer(LogEndpoint claimed, String peer) {
        if (claimed == null) {
            return null;
        }
        String url = claimed.url();
        String port = url.substring(url.lastIndexOf(':') + 1);
        String host = peer.contains(":") ? "[" + peer + "]" : peer;
        return new LogEndpoint("http://" + host + ":" + port, claimed.key());
    }
}
