package io.tessera.agent.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who workers run as. When the agent runs as root and the configured user is someone else,
 * workers are started through {@code setpriv} with that user's uid and gid and no supplementary
 * groups, and their working directory is handed to that user. Otherwise they run as the agent's
 * user. Either way a worker gets a clean environment: no variable of the agent leaks into it
 * except PATH, LANG, LC_ALL and TZ (so no credential or join token can).
 */
public final class WorkerIdentity {
    private final String user;
    private final String uid;
    private final String gid;
    private final String group;

    private WorkerIdentity(String user, String uid, String gid, String group) {
        this.user = user;
        this.uid = uid;
        this.gid = gid;
        this.group = group;
    }

    /** Workers run as the agent's own user. */
    public static WorkerIdentity agentUser() {
        return new WorkerIdentity(System.getProperty("user.name"), null, null, null);
    }

    /** Resolves {@code user}; switching users needs the agent to run as root. */
    public static WorkerIdentity of(String user) {
        String me = System.getProperty("user.name");
        if (user == null || user.equals(me)) {
            return agentUser();
        }
        if (!"root".equals(me)) {
            throw new IllegalStateException("workerUser '" + user + "' needs the agent to run as root; it runs as " + me);
        }
        return new WorkerIdentity(user, id("-u", user), id("-g", user), id("-gn", user));
    }

    /** The argv that runs {@code argv} as this identity. */
    List<String> wrap(List<String> argv) {
        if (uid == null) {
            return argv;
        }
        List<String> out = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        out.addAll(argv);
        return out;
    }

    /** Gives the worker's directory to the worker user. */
    void own(Path dir) throws IOException {
        if (uid == null) {
            return;
        }
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(lookup.lookupPrincipalByName(user));
        GroupPrincipal owner = lookup.lookupPrincipalByGroupName(group);
        view.setGroup(owner);
    }

    /** The clean base environment of a worker, before the contract and the job's variables. */
    void baseEnvironment(Map<String, String> env, Path workDir) {
        Map<String, String> agent = System.getenv();
        env.clear();
        for (String keep : List.of("PATH", "LANG", "LC_ALL", "TZ")) {
            if (agent.containsKey(keep)) {
                env.put(keep, agent.get(keep));
            }
        }
        env.put("HOME", workDir.toString());
        env.put("USER", user);
        env.put("LOGNAME", user);
    }

    private static String id(String flag, String user) {
        try {
            Process p = new ProcessBuilder("id", flag, user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || out.isEmpty() || (!flag.equals("-gn") && !out.matches("\\d+"))) {
                throw new IllegalStateException("worker user '" + user + "' does not exist: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve worker user '" + user + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
