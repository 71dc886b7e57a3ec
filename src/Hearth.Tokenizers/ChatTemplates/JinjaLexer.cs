using System.Globalization;
using System.Text;

namespace Hearth.Tokenizers.ChatTemplates;

internal enum TokenKind { Text, ExpressionStart, ExpressionEnd, StatementStart, StatementEnd, Name, String, Integer, Float, Operator, End }

internal readonly record struct JinjaToken(TokenKind Kind, string Value, int Offset)
{
    public override string ToString() => Kind is TokenKind.End ? "end of template" : $"'{Value}'";
}

/// <summary>
/// Splits a template into text and tag tokens, applying whitespace control as transformers configures Jinja:
/// `-` inside a tag trims whitespace beside it, trim_blocks drops the newline after a block tag, and lstrip_blocks
/// drops spaces and tabs before a block tag at the start of a line.
/// </summary>
internal sealed class JinjaLexer(string source)
{
    private readonly List<JinjaToken> tokens = [];
    private int pos;

    public static List<JinjaToken> Tokenize(string source) => new JinjaLexer(source).Run();

    private List<JinjaToken> Run()
    {
        // Pass 1: raw text spans and tags with their trim flags.
        var pieces = new List<(bool IsTag, int Start, int End, char Kind, bool TrimLeft, bool TrimRight)>();
        while (pos < source.Length)
        {
            var open = FindTagOpen(pos);
            if (open < 0) { pieces.Add((false, pos, source.Length, ' ', false, false)); break; }
            if (open > pos) pieces.Add((false, pos, open, ' ', false, false));
            var kind = source[open + 1];
            var trimLeft = open + 2 < source.Length && source[open + 2] == '-';
            var noLstrip = open + 2 < source.Length && source[open + 2] == '+';
            var closer = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            var close = FindClose(open + 2, closer, kind);
            var trimRight = close > open + 2 && source[close - 1] == '-';
            pieces.Add((true, open, close + 2, noLstrip ? '+' : kind, trimLeft, trimRight));
            pos = close + 2;
        }

        // Pass 2: whitespace control on text between tags, then tokens.
        for (var i = 0; i < pieces.Count; i++)
        {
            var p = pieces[i];
            if (!p.IsTag)
            {
                var start = p.Start;
                var end = p.End;
                var next = i + 1 < pieces.Count ? pieces[i + 1] : default;
                var previous = i > 0 ? pieces[i - 1] : default;
                if (next.IsTag && next.TrimLeft) { while (end > start && char.IsWhiteSpace(source[end - 1])) end--; }
                else if (next.IsTag && next.Kind is '%' or '#')
                {
                    // lstrip_blocks: only spaces/tabs between the line start (or template start) and the tag.
                    var cut = end;
                    while (cut > start && source[cut - 1] is ' ' or '\t') cut--;
                    if ((cut > start && source[cut - 1] == '\n') || cut == 0) end = cut;
                }
                if (previous.IsTag && previous.TrimRight) { while (start < end && char.IsWhiteSpace(source[start])) start++; }
                else if (previous.IsTag && previous.Kind is '%' or '#' or '+')
                {
                    // trim_blocks: the first newline after a block tag.
                    if (start < end && source[start] == '\n') start++;
                    else if (start + 1 < end && source[start] == '\r' && source[start + 1] == '\n') start += 2;
                }
                if (end > start) tokens.Add(new JinjaToken(TokenKind.Text, source[start..end], p.Start));
                continue;
            }
            if (p.Kind == '#') continue;
            var isExpression = p.Kind == '{';
            tokens.Add(new JinjaToken(isExpression ? TokenKind.ExpressionStart : TokenKind.StatementStart, source.Substring(p.Start, 2), p.Start));
            var innerStart = p.Start + 2 + (p.TrimLeft || p.Kind == '+' ? 1 : 0);
            var innerEnd = p.End - 2 - (p.TrimRight ? 1 : 0);
            LexInside(innerStart, innerEnd);
            tokens.Add(new JinjaToken(isExpression ? TokenKind.ExpressionEnd : TokenKind.StatementEnd, source.Substring(p.End - 2, 2), p.End - 2));
        }
        tokens.Add(new JinjaToken(TokenKind.End, "", source.Length));
        return tokens;
    }

    private int FindTagOpen(int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
            if (source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    /// <summary>The index of the closing delimiter, skipping string literals inside expressions.</summary>
    private int FindClose(int from, string closer, char kind)
    {
        var i = from;
        while (i < source.Length)
        {
            var c = source[i];
            if (kind != '#' && c is '\'' or '"')
            {
                var endQuote = SkipString(i);
                i = endQuote;
                continue;
            }
            if (string.CompareOrdinal(source, i, closer, 0, 2) == 0) return i;
            i++;
        }
        throw Error("unclosed tag (expected '" + closer + "')", from - 2);
    }

    private int SkipString(int start)
    {
        var quote = source[start];
        for (var i = start + 1; i < source.Length; i++)
        {
            if (source[i] == '\\') { i++; continue; }
            if (source[i] == quote) return i + 1;
        }
        throw Error("unterminated string literal", start);
    }

    private static readonly string[] Operators =
        ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    private void LexInside(int start, int end)
    {
        var i = start;
        while (i < end)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var s = i;
                while (i < end && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                tokens.Add(new JinjaToken(TokenKind.Name, source[s..i], s));
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                var s = i;
                while (i < end && (char.IsAsciiDigit(source[i]) || source[i] == '_')) i++;
                var isFloat = false;
                if (i + 1 < end && source[i] == '.' && char.IsAsciiDigit(source[i + 1]))
                {
                    isFloat = true;
                    i++;
                    while (i < end && char.IsAsciiDigit(source[i])) i++;
                }
                tokens.Add(new JinjaToken(isFloat ? TokenKind.Float : TokenKind.Integer, source[s..i].Replace("_", "", StringComparison.Ordinal), s));
                continue;
            }
            if (c is '\'' or '"')
            {
                var close = SkipString(i);
                tokens.Add(new JinjaToken(TokenKind.String, Unescape(i + 1, close - 1), i));
                i = close;
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0 && i + o.Length <= end);
            if (op is null) throw Error($"unexpected character '{c}'", i);
            tokens.Add(new JinjaToken(TokenKind.Operator, op, i));
            i += op.Length;
        }
    }

    private string Unescape(int start, int end)
    {
        var builder = new StringBuilder(end - start);
        for (var i = start; i < end; i++)
        {
            if (source[i] != '\\' || i + 1 >= end) { builder.Append(source[i]); continue; }
            var e = source[++i];
            switch (e)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case '0': builder.Append('\0'); break;
                case 'u' when i + 4 < end:
                    builder.Append((char)int.Parse(source.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case '\\' or '\'' or '"': builder.Append(e); break;
                default: builder.Append('\\').Append(e); break;
            }
        }
        return builder.ToString();
    }

    private TemplateException Error(string message, int offset) => JinjaErrors.At(source, offset, message);
}

internal static class JinjaErrors
{
    public static TemplateException At(string source, int offset, string message)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
            if (source[i] == '\n') { line++; lineStart = i + 1; }
        return new TemplateException(message, line, offset - lineStart + 1);
    }
}
