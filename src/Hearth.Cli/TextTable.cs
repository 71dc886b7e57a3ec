using Spectre.Console;

namespace Hearth.Cli;

/// <summary>A table drawn with Spectre.Console on a terminal, or as plain aligned columns when redirected.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Columns whose cells are right-aligned (numbers).</summary>
    public HashSet<int> RightAligned { get; } = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(CliContext context)
    {
        if (context.OutputIsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            for (int c = 0; c < headers.Length; c++)
            {
                var column = new TableColumn(Markup.Escape(headers[c]));
                if (RightAligned.Contains(c)) column.RightAligned();
                table.AddColumn(column);
            }
            foreach (var row in _rows) table.AddRow([.. row.Select(Markup.Escape)]);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
            console.Write(table);
            return;
        }

        var widths = new int[headers.Length];
        foreach (var row in _rows.Prepend(headers))
            for (int c = 0; c < row.Length && c < widths.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        foreach (var row in _rows.Prepend(headers))
        {
            var cells = row.Select((cell, c) => RightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            context.Out.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
