package org.vqsim.replay;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script for bash or zsh.", "",
        "The script completes commands, options, strategy ids, rings, backends and file names. "
            + "Load it in the current shell with source, or install it as below."},
    footer = {"", "Examples:",
        "  source <(vqsim completion bash)",
        "  vqsim completion bash > ~/.local/share/bash-completion/completions/vqsim",
        "  vqsim completion zsh > ~/.zfunc/_vqsim      (with fpath+=~/.zfunc in ~/.zshrc)"})
final class CompletionCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(index = "0", paramLabel = "bash|zsh", description = "The shell.")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) throw new IllegalArgumentException("completion: the shell must be bash or zsh, not '" + shell + "'");
    String script = AutoComplete.bash("vqsim", spec.root().commandLine());
    PrintWriter out = spec.commandLine().getOut();
    if (shell.equals("zsh")) {
      // picocli's script is bash's; zsh runs it through its bash-completion emulation
      out.println("#compdef vqsim");
      out.println("autoload -U +X compinit && compinit");
      out.println("autoload -U +X bashcompinit && bashcompinit");
    }
    out.print(script);
    out.flush();
    return ExitCodes.OK;
  }
}
