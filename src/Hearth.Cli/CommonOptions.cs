using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Hearth.Cli;

/// <summary>Options several commands share, and small parsing helpers.</summary>
internal static class CommonOptions
{
    public static Option<string?> Model() => new("--model", "-m")
    {
        Description = "A .gguf file or a Hugging Face folder (default: $HEARTH_MODEL, else models/hearth-tiny)",
    };

    public static Option<string> Backend() => new("--backend")
    {
        Description = "Compute backend: cpu (SIMD, multithreaded), cpu-ref (the scalar reference) or vulkan[:N]",
        DefaultValueFactory = _ => Hearth.Backends.Cpu.CpuBackends.FastName,
    };

    public static Option<string?> Device()
    {
        var option = new Option<string?>("--device")
        {
            Description = "Where to run: cpu, vulkan, vulkan:N (see `hearth devices`) or auto (a Vulkan GPU if there is one, else cpu); overrides --backend",
        };
        option.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!System.Text.RegularExpressions.Regex.IsMatch(value, "^(cpu|cpu-ref|vulkan(:[0-9]+)?|auto)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
                result.AddError($"--device must be {Hearth.Runtime.DeviceSelection.Usage} (got '{value}')");
        });
        return option;
    }

    /// <summary>The backend to create: --device when given (resolved; "auto" says on stderr what it chose), else --backend.</summary>
    public static string BackendName(ParseResult parse, Option<string> backend, Option<string?> device, CliContext context)
    {
        var spec = parse.GetValue(device);
        if (spec is null) return parse.GetValue(backend)!;
        var choice = Hearth.Runtime.DeviceSelection.Resolve(spec);
        if (choice.Note is not null)
        {
            context.Error.WriteLine(choice.Note);
            context.Error.Flush();
        }
        return choice.Backend;
    }

    public static Option<int?> Context() => new("--context")
    {
        Description = "Context length in tokens (default: the model's, at most 4096)",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text" };

    /// <summary>Parses "1,2,3" (spaces allowed) into ids; reports a parse error naming the bad item.</summary>
    public static int[]? ParseIds(ArgumentResult result)
    {
        var text = string.Join(",", result.Tokens.Select(t => t.Value));
        var ids = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0) continue;
            if (!int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0)
            {
                result.AddError($"--prompt-ids: '{item}' is not a token id (expected comma-separated non-negative integers, e.g. 1,2,3)");
                return null;
            }
            ids.Add(id);
        }
        if (ids.Count == 0)
        {
            result.AddError("--prompt-ids: no ids given (expected comma-separated integers, e.g. 1,2,3)");
            return null;
        }
        return [.. ids];
    }

    public static void NonNegative(Option<int> option) => Check(option, v => v >= 0, ">= 0");

    public static void Positive(Option<int?> option) => Check(option, v => v is not int i || i > 0, "> 0");

    /// <summary>Range check on a given flag, reported as a parse error (exit code 2).</summary>
    public static void Check<T>(Option<T> option, Func<T, bool> isValid, string expected)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>()!;
            }
            catch (InvalidOperationException)
            {
                return; // the value did not parse; System.CommandLine already reports that
            }
            if (!isValid(value)) result.AddError($"{option.Name} must be {expected} (got {value})");
        });
    }
}
