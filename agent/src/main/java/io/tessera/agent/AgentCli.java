package io.tessera.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent jar's command line: {@code agent} runs the daemon, {@code detect} prints the inventory once. */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "tessera 0.1.0",
        subcommands = {AgentMain.class, DetectCommand.class, ImageCommand.class, CommandLine.HelpCommand.class})
public final class AgentCli implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
