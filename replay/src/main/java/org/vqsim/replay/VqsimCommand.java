package org.vqsim.replay;

import org.vqsim.engine.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "vqsim",
    mixinStandardHelpOptions = true,
    versionProvider = VqsimCommand.VersionProvider.class,
    description = {
        "Trace-driven performance analysis of virtio I/O under DMA mapping strategies.",
        "",
        "Replays captured or synthetic block I/O through a cycle-accounted model of the virtqueue and the DMA path, once per strategy, and writes Arrow tables.",
        ""},
    subcommands = {DemoCommand.class, GenerateCommand.class, ImportCommand.class, InspectCommand.class, ReplayCommand.class, CalibrateCommand.class, FleetCommand.class,
        ReportCommand.class, CompareCommand.class, SweepCommand.class, ValidateCommand.class, ReproduceCommand.class, ShowCommand.class, ProfilesCommand.class,
        CompletionCommand.class, picocli.CommandLine.HelpCommand.class},
    footer = {"", "Examples:",
        "  vqsim demo",
        "  vqsim generate --rw randread --bs 4k --iodepth 32 --count 100000 -o t.arrow",
        "  vqsim inspect samples/qemu-lab/randread4k.viommu-strict.qemu-trace.log.gz",
        "  vqsim replay t.arrow --strategy direct,bounce -o out/",
        "  vqsim show out/summary.arrow",
        "  vqsim COMMAND --help",
        "",
        "Exit codes: 0 ok, 1 internal error, 2 usage, 3 check failed, 65 bad input data, 66 input missing, 73 cannot create output, 74 I/O error. "
            + "Add --debug to any command for a stack trace."})
final class VqsimCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vqsim " + Version.VERSION, "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
