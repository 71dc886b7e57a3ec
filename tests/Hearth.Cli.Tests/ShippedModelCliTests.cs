using System.Text.Json;

namespace Hearth.Cli.Tests;

/// <summary>
/// `hearth chat` over the shipped model models/hearth-tiny answers held-out questions exactly as the PyTorch
/// reference does (models/hearth-tiny/eval/results-pytorch.json, written by tools/tinymodel/train.py export).
/// </summary>
public class ShippedModelCliTests
{
    private const int QuestionCount = 16;

    internal static string Folder => Path.Combine(CliRunner.RepoRoot, "models", "hearth-tiny");

    internal static (string[] Questions, string[] ReferenceAnswers) HeldOut()
    {
        var questions = File.ReadLines(Path.Combine(Folder, "eval", "heldout.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("question").GetString()!).ToArray();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "eval", "results-pytorch.json")));
        var answers = doc.RootElement.GetProperty("answers").EnumerateArray().Select(a => a.GetString()!).ToArray();
        // Every 100th question: a spread over all tasks (the file is grouped by task).
        var picks = Enumerable.Range(0, questions.Length).Where(i => i % (questions.Length / QuestionCount) == 0).ToArray();
        return ([.. picks.Select(i => questions[i])], [.. picks.Select(i => answers[i])]);
    }

    [Theory]
    [InlineData("hf")]
    [InlineData("gguf")]
    public void Chat_answers_held_out_questions_as_the_pytorch_reference(string kind)
    {
        var (questions, expected) = HeldOut();
        var model = kind == "gguf" ? Path.Combine(Folder, "model.gguf") : Folder;
        var stdin = string.Concat(questions.Select(q => q + "\n/reset\n"));
        var result = CliRunner.RunWithInput(stdin, "chat", "--model", model, "--max-tokens", "24");
        Assert.True(result.ExitCode == 0, result.Error);
        var replies = result.Out.Split('\n').Take(questions.Length).Select(r => r.Trim()).ToArray();
        Assert.Equal(expected, replies);
    }
}
