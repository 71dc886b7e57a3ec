using System.Diagnostics;
using Hearth.Core;
using Hearth.Core.Quants;
using Hearth.Formats.Gguf;
using Hearth.Models;
using Hearth.Quantization.Conversion;
using Hearth.Quantization.Presets;
using Hearth.Quantization.Quants;

namespace Hearth.Quantization;

/// <summary>One tensor's decision in a quantization run.</summary>
public sealed record QuantizedTensor(string Name, Shape Shape, TensorType SourceType, TensorType Type, long Bytes, string? FallbackReason);

/// <summary>Progress of a run: tensors done out of all, bytes written so far out of the total.</summary>
public readonly record struct QuantizeProgress(int TensorIndex, int TensorCount, string TensorName, long BytesWritten, long TotalBytes);

/// <summary>What a run did: per-tensor types and sizes, totals, time and peak memory.</summary>
public sealed record QuantizeReport(string Input, string Output, QuantPreset Preset, IReadOnlyList<QuantizedTensor> Tensors,
    long FileBytes, TimeSpan Elapsed, long? PeakResidentBytes)
{
    public long ElementCount => Tensors.Sum(t => t.Shape.ElementCount);
    public long TensorBytes => Tensors.Sum(t => t.Bytes);
    /// <summary>Bits per weight over all tensors' data (1-D tensors included).</summary>
    public double BitsPerWeight => ElementCount == 0 ? 0 : 8.0 * TensorBytes / ElementCount;
}

/// <summary>
/// Converts a model (GGUF or HF folder in F32/F16/BF16) into a GGUF file of a preset's types. Tensors
/// are streamed: the header (all tensor infos; sizes follow from types and shapes) is written first, then
/// each tensor is read from the memory-mapped source a row at a time, quantized and written, and its
/// source pages are released, so peak memory stays far below the model's size.
/// </summary>
public static class ModelQuantizer
{
    public static QuantizeReport Run(string inputPath, string outputPath, QuantPreset preset, IProgress<QuantizeProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        ArgumentNullException.ThrowIfNull(preset);
        var stopwatch = Stopwatch.StartNew();
        using var model = Model.Load(inputPath);
        if (File.Exists(outputPath) && Directory.Exists(inputPath) is false
            && string.Equals(Path.GetFullPath(outputPath), Path.GetFullPath(inputPath), StringComparison.Ordinal))
            throw new HearthException($"the output {outputPath} is the input file; choose another output path");
        var plan = ConversionPlan.For(model);

        var decisions = new List<QuantizedTensor>();
        foreach (var tensor in plan.Tensors)
        {
            var sourceType = tensor.Source?.Type ?? TensorType.F32;
            if (sourceType is not (TensorType.F32 or TensorType.F16 or TensorType.BF16))
                throw new HearthException($"{inputPath}: tensor '{tensor.Source?.Name ?? tensor.Name}' is {TensorTypes.Info(sourceType).Name}; quantize from an F32, F16 or BF16 model (re-quantizing loses quality)");
            var slot = new TensorSlot(tensor.Name, tensor.Shape, ConversionPlan.LayerOf(tensor.Name), plan.LayerCount, plan.IsOutput(tensor),
                model.Config.HeadCount / Math.Max(1, model.Config.KvHeadCount));
            var type = QuantPresets.Choose(preset, slot, out string? reason);
            decisions.Add(new QuantizedTensor(tensor.Name, tensor.Shape, sourceType, type, TensorTypes.TensorBytes(type, tensor.Shape), reason));
        }

        var writer = new GgufWriter();
        foreach (var (key, value) in plan.Metadata) writer.Add(key, value);
        writer.Add("general.file_type", GgufValue.Of(preset.FileType));
        if (decisions.Any(d => TensorTypes.Info(d.Type).IsQuantized)) writer.Add("general.quantization_version", GgufValue.Of(2u));
        writer.Add("general.alignment", GgufValue.Of(32u));

        long total = decisions.Sum(d => d.Bytes), written = 0;
        for (int i = 0; i < plan.Tensors.Count; i++)
        {
            var tensor = plan.Tensors[i];
            var decision = decisions[i];
            int index = i;
            writer.AddTensor(tensor.Name, decision.Type, tensor.Shape, stream =>
            {
                WriteTensor(tensor, decision.Type, stream);
                written += decision.Bytes;
                progress?.Report(new QuantizeProgress(index + 1, plan.Tensors.Count, tensor.Name, written, total));
            });
        }

        string temporary = outputPath + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                writer.Write(stream);
            File.Move(temporary, outputPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        return new QuantizeReport(inputPath, outputPath, preset, decisions, new FileInfo(outputPath).Length, stopwatch.Elapsed, PeakMemory.PeakResidentBytes());
    }

    // Source rows -> F32 -> target type in chunks of rows quantized in parallel and written in order;
    // the finished source range is released. Memory per tensor: one chunk of output rows.
    private static void WriteTensor(SourceTensor tensor, TensorType type, Stream stream)
    {
        int rowLength = tensor.RowLength;
        int rowBytes = checked((int)TensorTypes.RowBytes(type, rowLength));
        int chunkRows = (int)Math.Clamp((4L << 20) / Math.Max(1, rowBytes), 1, Math.Max(1, tensor.RowCount));
        var chunk = new byte[(long)chunkRows * rowBytes];
        for (long first = 0; first < tensor.RowCount; first += chunkRows)
        {
            int rows = (int)Math.Min(chunkRows, tensor.RowCount - first);
            long chunkFirst = first;
            Parallel.For(0, rows, () => new float[rowLength], (i, _, values) =>
            {
                long r = chunkFirst + i;
                if (tensor.Values is { } computed) computed.AsSpan((int)(r * rowLength), rowLength).CopyTo(values);
                else if (tensor.Shape.Rank <= 1) Dequant.Row(tensor.Source!.Type, tensor.Source.Bytes, values);
                else Dequant.Row(tensor.Source!.Type, tensor.Source.RowBytes(tensor.SourceRow(r)), values);
                Quantize.Row(type, values, chunk.AsSpan(i * rowBytes, rowBytes));
                return values;
            }, _ => { });
            stream.Write(chunk, 0, rows * rowBytes);
        }
        if (tensor.Source is { } source) PageRelease.Release(source.Data, source.ByteLength);
    }
}
