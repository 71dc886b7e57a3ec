using System.CommandLine;
using Hearth.Runtime.Sampling;

namespace Hearth.Cli;

/// <summary>The sampling flags shared by generate and chat.</summary>
internal sealed class SamplingFlags
{
    public Option<float> Temperature { get; } = new("--temperature") { Description = "Sampling temperature; 0 = greedy", DefaultValueFactory = _ => 0f };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Keep the K most likely tokens; 0 = off", DefaultValueFactory = _ => 0 };
    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling threshold; 1 = off", DefaultValueFactory = _ => 1f };
    public Option<float> MinP { get; } = new("--min-p") { Description = "Drop tokens below P times the top probability; 0 = off", DefaultValueFactory = _ => 0f };
    public Option<float> RepeatPenalty { get; } = new("--repeat-penalty") { Description = "Repetition penalty over the sequence; 1 = off", DefaultValueFactory = _ => 1f };
    public Option<float> FrequencyPenalty { get; } = new("--frequency-penalty") { Description = "OpenAI-style frequency penalty; 0 = off", DefaultValueFactory = _ => 0f };
    public Option<float> PresencePenalty { get; } = new("--presence-penalty") { Description = "OpenAI-style presence penalty; 0 = off", DefaultValueFactory = _ => 0f };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Random seed (default: random)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Temperature);
        command.Options.Add(TopK);
        command.Options.Add(TopP);
        command.Options.Add(MinP);
        command.Options.Add(RepeatPenalty);
        command.Options.Add(FrequencyPenalty);
        command.Options.Add(PresencePenalty);
        command.Options.Add(Seed);
        CommonOptions.Check(Temperature, v => float.IsFinite(v) && v >= 0, ">= 0");
        CommonOptions.Check(TopK, v => v >= 0, ">= 0");
        CommonOptions.Check(TopP, v => v > 0 && v <= 1, "in (0, 1]");
        CommonOptions.Check(MinP, v => v >= 0 && v <= 1, "in [0, 1]");
        CommonOptions.Check(RepeatPenalty, v => float.IsFinite(v) && v > 0, "> 0");
        CommonOptions.Check(FrequencyPenalty, float.IsFinite, "a finite number");
        CommonOptions.Check(PresencePenalty, float.IsFinite, "a finite number");
    }

    public SamplerOptions Read(ParseResult parse) =>
        Read(parse.GetValue(Temperature), parse.GetValue(TopK), parse.GetValue(TopP), parse.GetValue(MinP),
            parse.GetValue(RepeatPenalty), parse.GetValue(FrequencyPenalty), parse.GetValue(PresencePenalty), parse.GetValue(Seed));

    private static SamplerOptions Read(float temperature, int topK, float topP, float minP, float repeat, float frequency, float presence, int? seed) => new()
    {
        Temperature = temperature,
        TopK = topK,
        TopP = topP,
        MinP = minP,
        RepetitionPenalty = repeat,
        FrequencyPenalty = frequency,
        PresencePenalty = presence,
        Seed = seed,
    };
}
