package io.tessera.scheduler.cli;

import io.tessera.scheduler.cli.client.AuditCommand;
import io.tessera.scheduler.cli.client.CancelCommand;
import io.tessera.scheduler.cli.client.LoginCommand;
import io.tessera.scheduler.cli.client.ClusterCommand;
import io.tessera.scheduler.cli.client.JoinTokenCommand;
import io.tessera.scheduler.cli.client.NodeActions;
import io.tessera.scheduler.cli.client.QueueCommand;
import io.tessera.scheduler.cli.client.FleetCommand;
import io.tessera.scheduler.cli.client.JobsCommand;
import io.tessera.scheduler.cli.client.LogsCommand;
import io.tessera.scheduler.cli.client.NodesCommand;
import io.tessera.scheduler.cli.client.ProfilesCommand;
import io.tessera.scheduler.cli.client.QueuesCommand;
import io.tessera.scheduler.cli.client.ResubmitCommand;
import io.tessera.scheduler.cli.client.StatusCommand;
import io.tessera.scheduler.cli.client.SubmitCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tessera} command line (scheduler jar): the server side ({@code scheduler}, {@code demo},
 * {@code simulate}), and the client commands ML engineers use against a running scheduler.
 */
@Command(name = "tessera", mixinStandardHelpOptions = true, version = "tessera 0.1.0",
        description = "Tessera: one scheduling pool over a mixed fleet of AI accelerators.",
        subcommands = {SubmitCommand.class, JobsCommand.class, StatusCommand.class, LogsCommand.class,
                CancelCommand.class, ResubmitCommand.class, NodesCommand.class, FleetCommand.class, QueuesCommand.class,
                ProfilesCommand.class, NodeActions.Drain.class, NodeActions.Undrain.class, NodeActions.Accept.class,
                NodeActions.Revoke.class, NodeActions.Readmit.class, JoinTokenCommand.class, QueueCommand.class,
                ClusterCommand.class, LoginCommand.class, AuditCommand.class,
                PlanCommand.class, SchedulerCommand.class, DemoCommand.class, SimulateCommand.class,
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
