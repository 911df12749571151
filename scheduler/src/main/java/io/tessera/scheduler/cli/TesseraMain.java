package io.tessera.scheduler.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tessera} command line (scheduler jar): {@code scheduler}, {@code demo}, {@code plan}, {@code help}. */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "tessera 0.1.0",
        description = "Tessera: one scheduling pool over a mixed fleet of AI accelerators.",
        subcommands = {SchedulerCommand.class, DemoCommand.class, PlanCommand.class, SimulateCommand.class,
                CommandLine.HelpCommand.class})
public final class TesseraMain implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new TesseraMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
