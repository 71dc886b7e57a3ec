using System.Globalization;
using System.Security;
using System.Text;

namespace Hearth.Runtime.Benchmarking;

/// <summary>
/// A roofline picture as plain SVG: log-log axes of arithmetic intensity (FLOP per weight byte)
/// and FLOP/s, the bandwidth line from the measured read bandwidth, the measured compute ceiling,
/// and one labelled point per test.
/// </summary>
public static class RooflineSvg
{
    private const double Width = 860, Height = 560, Left = 110, Right = 30, Top = 70, Bottom = 70;
    private const double PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static string Render(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        double bandwidth = report.Bandwidth.BytesPerSecond;
        double peak = report.PeakFlops.FlopsPerSecond;
        double ridge = peak / bandwidth;
        var points = report.Tests.Where(t => double.IsFinite(t.ArithmeticIntensity) && t.ArithmeticIntensity > 0 && t.FlopsPerSecond.Mean > 0).ToList();

        var xs = points.Select(p => p.ArithmeticIntensity).Append(ridge).ToList();
        var ys = points.Select(p => p.FlopsPerSecond.Mean).Append(peak).ToList();
        double xMin = Decade(xs.Min() / 3, floor: true), xMax = Decade(xs.Max() * 3, floor: false);
        double yMin = Decade(ys.Min() / 3, floor: true), yMax = Decade(ys.Max() * 3, floor: false);
        yMin = Math.Max(yMin, Decade(Math.Min(bandwidth * xMin, ys.Min()) / 3, floor: true));

        double X(double v) => Left + PlotWidth * (Math.Log10(v) - Math.Log10(xMin)) / (Math.Log10(xMax) - Math.Log10(xMin));
        double Y(double v) => Top + PlotHeight * (1 - (Math.Log10(v) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)));

        double totalHeight = Height + 18 * points.Count + 10;
        var svg = new StringBuilder();
        svg.AppendLine(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{totalHeight}\" viewBox=\"0 0 {Width} {totalHeight}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(F($"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{totalHeight}\" fill=\"white\"/>"));
        svg.AppendLine(F($"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">Roofline: {Esc(report.ModelLabel)} on {Esc(report.Backend)}</text>"));
        svg.AppendLine(F($"<text x=\"{Width / 2}\" y=\"44\" text-anchor=\"middle\" fill=\"#444\">measured read bandwidth {bandwidth / 1e9:0.0} GB/s, peak {peak / 1e9:0.0} GFLOP/s ({Esc(report.PeakFlops.Method)}), {report.ProbeThreads} threads</text>"));

        // Grid and decade labels.
        svg.AppendLine("<g stroke=\"#ddd\" stroke-width=\"1\">");
        for (double d = xMin; d <= xMax * 1.0001; d *= 10) svg.AppendLine(F($"<line x1=\"{X(d):0.##}\" y1=\"{Top}\" x2=\"{X(d):0.##}\" y2=\"{Top + PlotHeight}\"/>"));
        for (double d = yMin; d <= yMax * 1.0001; d *= 10) svg.AppendLine(F($"<line x1=\"{Left}\" y1=\"{Y(d):0.##}\" x2=\"{Left + PlotWidth}\" y2=\"{Y(d):0.##}\"/>"));
        svg.AppendLine("</g>");
        for (double d = xMin; d <= xMax * 1.0001; d *= 10)
            svg.AppendLine(F($"<text x=\"{X(d):0.##}\" y=\"{Top + PlotHeight + 18}\" text-anchor=\"middle\">{Number(d)}</text>"));
        for (double d = yMin; d <= yMax * 1.0001; d *= 10)
            svg.AppendLine(F($"<text x=\"{Left - 8}\" y=\"{Y(d) + 4:0.##}\" text-anchor=\"end\">{Flops(d)}</text>"));
        svg.AppendLine(F($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#333\"/>"));
        svg.AppendLine(F($"<text x=\"{Left + PlotWidth / 2}\" y=\"{Height - 22}\" text-anchor=\"middle\">arithmetic intensity (FLOP per weight byte, log scale)</text>"));
        svg.AppendLine(F($"<text x=\"18\" y=\"{Top + PlotHeight / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Top + PlotHeight / 2})\">FLOP/s (log scale)</text>"));

        // Roofline: bandwidth x intensity up to the ridge, then the compute ceiling.
        double startX = Math.Max(xMin, yMin / bandwidth);
        svg.AppendLine(F($"<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"2.5\" points=\"{X(startX):0.##},{Y(bandwidth * startX):0.##} {X(ridge):0.##},{Y(peak):0.##} {X(xMax):0.##},{Y(peak):0.##}\"/>"));
        svg.AppendLine(F($"<text x=\"{X(xMax) - 6:0.##}\" y=\"{Y(peak) - 8:0.##}\" text-anchor=\"end\">compute ceiling {peak / 1e9:0.0} GFLOP/s</text>"));
        double labelX = Math.Sqrt(startX * ridge);
        svg.AppendLine(F($"<text x=\"{X(labelX) + 8:0.##}\" y=\"{Y(bandwidth * labelX) + 18:0.##}\" fill=\"#000\">memory {bandwidth / 1e9:0.0} GB/s</text>"));

        // Points carry their test name; the figures go in a legend under the plot so close points stay readable.
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var colour = Colours[i % Colours.Length];
            double px = X(p.ArithmeticIntensity), py = Y(p.FlopsPerSecond.Mean);
            svg.AppendLine(F($"<circle class=\"point\" cx=\"{px:0.##}\" cy=\"{py:0.##}\" r=\"6\" fill=\"{colour}\" stroke=\"#000\"/>"));
            bool right = px > Left + PlotWidth * 0.8;
            // Spread the names of neighbouring points vertically: one line per point, centred on the point.
            double dy = (i - (points.Count - 1) / 2.0) * 14;
            svg.AppendLine(F($"<text x=\"{px + (right ? -10 : 10):0.##}\" y=\"{py + 4 + dy:0.##}\" text-anchor=\"{(right ? "end" : "start")}\" fill=\"{colour}\" font-weight=\"bold\">{Esc(p.Name)}</text>"));
            double ly = Height + 4 + 18 * i;
            svg.AppendLine(F($"<circle class=\"legend\" cx=\"{Left + 6}\" cy=\"{ly - 4:0.##}\" r=\"5\" fill=\"{colour}\" stroke=\"#000\"/>"));
            svg.AppendLine(F($"<text x=\"{Left + 18}\" y=\"{ly:0.##}\">{Esc(p.Name)}: {p.TokensPerSecond.Mean:0.##} t/s, {p.GigabytesPerSecond.Mean:0.###} GB/s, {p.FlopsPerSecond.Mean / 1e9:0.###} GFLOP/s at {p.ArithmeticIntensity:0.##} FLOP/B: {p.RooflinePercent:0.#}% of bandwidth, {p.ComputePercent:0.#}% of FMA peak</text>"));
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string text) => SecurityElement.Escape(text) ?? "";

    private static double Decade(double v, bool floor)
    {
        if (!(v > 0) || !double.IsFinite(v)) v = 1;
        double e = Math.Log10(v);
        return Math.Pow(10, floor ? Math.Floor(e) : Math.Ceiling(e));
    }

    private static string Number(double v) => v >= 1 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Flops(double v) => v switch
    {
        >= 1e15 => F($"{v / 1e15:0.#} PFLOP/s"),
        >= 1e12 => F($"{v / 1e12:0.#} TFLOP/s"),
        >= 1e9 => F($"{v / 1e9:0.#} GFLOP/s"),
        >= 1e6 => F($"{v / 1e6:0.#} MFLOP/s"),
        _ => F($"{v:0} FLOP/s"),
    };
}
