using System.Diagnostics;

namespace Hearth.Server.Tests;

/// <summary>Runs a script of tests/Hearth.Server.Tests/js with node. Fails loudly (never passes silently) when node or the
/// npm packages are missing: tools/run-tests.sh installs them (js/setup.sh).</summary>
public static class NodeRunner
{
    public static string JsDir => Path.Combine(RepoPaths.RepoRoot, "tests", "Hearth.Server.Tests", "js");

    public static void RequirePackages(params string[] packages)
    {
        foreach (var package in packages)
            if (!File.Exists(Path.Combine(JsDir, "node_modules", package, "package.json")))
                Assert.Fail($"npm package '{package}' is not installed: run tests/Hearth.Server.Tests/js/setup.sh (needs node and npm)");
    }

    public static async Task<string> RunAsync(string script, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("node", [script, .. args])
        {
            WorkingDirectory = JsDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot run node ({e.Message}): install Node.js (tools/run-tests.sh does)");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {script} did not finish in {timeout.TotalSeconds} s; stderr: {await stderr}");
            }
            Assert.True(process.ExitCode == 0, $"node {script} failed ({process.ExitCode}): {await stderr}\n{await stdout}");
            return await stdout;
        }
    }
}
