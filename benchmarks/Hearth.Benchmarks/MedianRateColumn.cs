using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hearth.Benchmarks;

/// <summary>A rate column computed from a case's median time: <see cref="Amount"/> per second, scaled by <paramref name="unit"/>.</summary>
internal abstract class MedianRateColumn(string id, string name, string legend, int priority, double unit) : IColumn
{
    public string Id => id;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => priority;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null) return "NA";
        return (Amount(benchmarkCase) / (statistics.Median / 1e9) / unit).ToString("F2", CultureInfo.InvariantCulture);
    }

    /// <summary>What one run of the case does (bytes, operations, ...).</summary>
    protected abstract double Amount(BenchmarkCase benchmarkCase);
}
