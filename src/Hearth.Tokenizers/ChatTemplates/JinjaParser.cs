using System.Globalization;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>Recursive-descent parser for the Jinja subset chat templates use; precedence as Jinja2's parser.</summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> Keywords = ["and", "or", "not", "in", "is", "if", "else", "elif"];
    private readonly string source;
    private readonly List<JinjaToken> tokens;
    private int index;

    private JinjaParser(string source)
    {
        this.source = source;
        tokens = JinjaLexer.Tokenize(source);
    }

    public static List<Stmt> Parse(string source)
    {
        var parser = new JinjaParser(source);
        var (body, end) = parser.ParseBody([]);
        if (end is not null) throw parser.Error($"unexpected '{{% {end} %}}'", parser.Current.Offset);
        return body;
    }

    private JinjaToken Current => tokens[index];
    private JinjaToken Advance() => tokens[index++];

    private bool IsOperator(string op) => Current.Kind == TokenKind.Operator && Current.Value == op;
    private bool IsName(string name) => Current.Kind == TokenKind.Name && Current.Value == name;

    private JinjaToken Expect(TokenKind kind, string? value = null)
    {
        if (Current.Kind != kind || (value is not null && Current.Value != value))
            throw Error($"expected {(value is null ? kind.ToString() : $"'{value}'")} but found {Current}", Current.Offset);
        return Advance();
    }

    private string ExpectName() => Expect(TokenKind.Name).Value;

    private TemplateException Error(string message, int offset) => JinjaErrors.At(source, offset, message);

    /// <summary>Parses statements until a block tag named in <paramref name="endTags"/>; returns which one (null at the end).</summary>
    private (List<Stmt> Body, string? EndTag) ParseBody(string[] endTags)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (endTags.Length > 0) throw Error($"unexpected end of template: expected {{% {string.Join(" or ", endTags)} %}}", token.Offset);
                    return (body, null);
                case TokenKind.Text:
                    body.Add(new TextStmt(Advance().Value, token.Offset));
                    break;
                case TokenKind.ExpressionStart:
                    Advance();
                    body.Add(new OutputStmt(ParseExpression(), token.Offset));
                    Expect(TokenKind.ExpressionEnd);
                    break;
                case TokenKind.StatementStart:
                    var keyword = tokens[index + 1];
                    if (keyword.Kind == TokenKind.Name && endTags.Contains(keyword.Value))
                    {
                        index += 2;
                        return (body, keyword.Value);
                    }
                    Advance();
                    var statement = ParseStatement();
                    if (statement is not null) body.Add(statement);
                    break;
                default:
                    throw Error($"unexpected {token}", token.Offset);
            }
        }
    }

    private Stmt? ParseStatement()
    {
        var keywordToken = Current;
        var keyword = ExpectName();
        switch (keyword)
        {
            case "if": return ParseIf(keywordToken.Offset);
            case "for": return ParseFor(keywordToken.Offset);
            case "set": return ParseSet(keywordToken.Offset);
            case "macro": return ParseMacro(keywordToken.Offset);
            case "break":
            case "continue":
                Expect(TokenKind.StatementEnd);
                return new LoopControlStmt(keyword == "break", keywordToken.Offset);
            case "generation":
            case "endgeneration":
                // transformers' assistant-mask markers: no output of their own.
                Expect(TokenKind.StatementEnd);
                return null;
            default:
                throw Error($"unknown tag '{keyword}'", keywordToken.Offset);
        }
    }

    private IfStmt ParseIf(int offset)
    {
        var branches = new List<(Expr, List<Stmt>)>();
        var condition = ParseExpression();
        Expect(TokenKind.StatementEnd);
        while (true)
        {
            var (body, end) = ParseBody(["elif", "else", "endif"]);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                Expect(TokenKind.StatementEnd);
                continue;
            }
            Expect(TokenKind.StatementEnd);
            if (end == "endif") return new IfStmt(branches, null, offset);
            var (elseBody, _) = ParseBody(["endif"]);
            Expect(TokenKind.StatementEnd);
            return new IfStmt(branches, elseBody, offset);
        }
    }

    private ForStmt ParseFor(int offset)
    {
        var targets = ParseTargets();
        Expect(TokenKind.Name, "in");
        var iterable = ParseExpression(allowConditional: false);
        Expr? filter = null;
        if (IsName("if")) { Advance(); filter = ParseExpression(allowConditional: false); }
        if (IsName("recursive")) throw Error("recursive for loops are not supported", Current.Offset);
        Expect(TokenKind.StatementEnd);
        var (body, end) = ParseBody(["else", "endfor"]);
        Expect(TokenKind.StatementEnd);
        List<Stmt>? elseBody = null;
        if (end == "else")
        {
            (elseBody, _) = ParseBody(["endfor"]);
            Expect(TokenKind.StatementEnd);
        }
        return new ForStmt(targets, iterable, filter, body, elseBody, offset);
    }

    private List<string> ParseTargets()
    {
        var parenthesized = IsOperator("(");
        if (parenthesized) Advance();
        var targets = new List<string> { ExpectName() };
        while (IsOperator(",")) { Advance(); targets.Add(ExpectName()); }
        if (parenthesized) Expect(TokenKind.Operator, ")");
        return targets;
    }

    private SetStmt ParseSet(int offset)
    {
        var targets = ParseTargets();
        string? attribute = null;
        if (targets.Count == 1 && IsOperator(".")) { Advance(); attribute = ExpectName(); }
        if (IsOperator("="))
        {
            Advance();
            var value = ParseTupleOrExpression();
            Expect(TokenKind.StatementEnd);
            return new SetStmt(targets, attribute, value, null, offset);
        }
        Expect(TokenKind.StatementEnd);
        var (body, _) = ParseBody(["endset"]);
        Expect(TokenKind.StatementEnd);
        return new SetStmt(targets, attribute, null, body, offset);
    }

    private MacroStmt ParseMacro(int offset)
    {
        var name = ExpectName();
        var parameters = new List<(string, Expr?)>();
        Expect(TokenKind.Operator, "(");
        while (!IsOperator(")"))
        {
            var parameter = ExpectName();
            Expr? fallback = null;
            if (IsOperator("=")) { Advance(); fallback = ParseExpression(); }
            parameters.Add((parameter, fallback));
            if (!IsOperator(")")) Expect(TokenKind.Operator, ",");
        }
        Advance();
        Expect(TokenKind.StatementEnd);
        var (body, _) = ParseBody(["endmacro"]);
        if (Current.Kind == TokenKind.Name) Advance(); // {% endmacro name %}
        Expect(TokenKind.StatementEnd);
        return new MacroStmt(name, parameters, body, offset);
    }

    /// <summary>`a, b` without brackets is a tuple (in set values).</summary>
    private Expr ParseTupleOrExpression()
    {
        var first = ParseExpression();
        if (!IsOperator(",")) return first;
        var items = new List<Expr> { first };
        while (IsOperator(",")) { Advance(); items.Add(ParseExpression()); }
        return new ListExpr(items, first.Offset);
    }

    public Expr ParseExpression(bool allowConditional = true)
    {
        var value = ParseOr();
        if (!allowConditional || !IsName("if")) return value;
        var offset = Advance().Offset;
        var condition = ParseOr();
        Expr? otherwise = null;
        if (IsName("else")) { Advance(); otherwise = ParseExpression(); }
        return new ConditionalExpr(condition, value, otherwise, offset);
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (IsName("or")) { var offset = Advance().Offset; left = new BinaryExpr("or", left, ParseAnd(), offset); }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and")) { var offset = Advance().Offset; left = new BinaryExpr("and", left, ParseNot(), offset); }
        return left;
    }

    private Expr ParseNot()
    {
        if (IsName("not")) { var offset = Advance().Offset; return new UnaryExpr("not", ParseNot(), offset); }
        return ParseCompare();
    }

    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];

    private Expr ParseCompare()
    {
        var left = ParseConcat();
        while (true)
        {
            var offset = Current.Offset;
            if (Current.Kind == TokenKind.Operator && Comparisons.Contains(Current.Value)) { var op = Advance().Value; left = new BinaryExpr(op, left, ParseConcat(), offset); }
            else if (IsName("in")) { Advance(); left = new BinaryExpr("in", left, ParseConcat(), offset); }
            else if (IsName("not") && tokens[index + 1].Kind == TokenKind.Name && tokens[index + 1].Value == "in")
            {
                index += 2;
                left = new BinaryExpr("not in", left, ParseConcat(), offset);
            }
            else return left;
        }
    }

    private Expr ParseConcat()
    {
        var left = ParseAdd();
        while (IsOperator("~")) { var offset = Advance().Offset; left = new BinaryExpr("~", left, ParseAdd(), offset); }
        return left;
    }

    private Expr ParseAdd()
    {
        var left = ParseMul();
        while (IsOperator("+") || IsOperator("-")) { var op = Advance(); left = new BinaryExpr(op.Value, left, ParseMul(), op.Offset); }
        return left;
    }

    private Expr ParseMul()
    {
        var left = ParsePow();
        while (IsOperator("*") || IsOperator("/") || IsOperator("//") || IsOperator("%")) { var op = Advance(); left = new BinaryExpr(op.Value, left, ParsePow(), op.Offset); }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (IsOperator("**")) { var op = Advance(); left = new BinaryExpr("**", left, ParseUnary(), op.Offset); }
        return left;
    }

    private Expr ParseUnary()
    {
        if (IsOperator("-") || IsOperator("+")) { var op = Advance(); return ParseFilters(new UnaryExpr(op.Value, ParseUnary(), op.Offset)); }
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParseFilters(Expr value)
    {
        while (true)
        {
            if (IsOperator("|"))
            {
                var offset = Advance().Offset;
                var name = ExpectName();
                var (args, kwargs) = IsOperator("(") ? ParseArguments() : ([], []);
                value = new FilterExpr(value, name, args, kwargs, offset);
            }
            else if (IsName("is"))
            {
                var offset = Advance().Offset;
                var negated = false;
                if (IsName("not")) { Advance(); negated = true; }
                var name = ExpectName();
                var args = new List<Expr>();
                if (IsOperator("(")) args = ParseArguments().Args;
                else if (Current.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
                    || (Current.Kind == TokenKind.Name && !Keywords.Contains(Current.Value)))
                    args.Add(ParsePostfix(ParsePrimary()));
                value = new TestExpr(value, name, args, negated, offset);
            }
            else return value;
        }
    }

    private (List<Expr> Args, List<(string, Expr)> Kwargs) ParseArguments()
    {
        Expect(TokenKind.Operator, "(");
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        while (!IsOperator(")"))
        {
            if (Current.Kind == TokenKind.Name && tokens[index + 1].Kind == TokenKind.Operator && tokens[index + 1].Value == "=")
            {
                var name = Advance().Value;
                Advance();
                kwargs.Add((name, ParseExpression()));
            }
            else args.Add(ParseExpression());
            if (!IsOperator(")")) Expect(TokenKind.Operator, ",");
        }
        Advance();
        return (args, kwargs);
    }

    private Expr ParsePostfix(Expr value)
    {
        while (true)
        {
            if (IsOperator("."))
            {
                var offset = Advance().Offset;
                if (Current.Kind == TokenKind.Integer) value = new IndexExpr(value, new Literal(long.Parse(Advance().Value, CultureInfo.InvariantCulture), offset), offset);
                else value = new AttributeExpr(value, ExpectName(), offset);
            }
            else if (IsOperator("["))
            {
                var offset = Advance().Offset;
                value = ParseSubscript(value, offset);
            }
            else if (IsOperator("("))
            {
                var offset = Current.Offset;
                var (args, kwargs) = ParseArguments();
                value = new CallExpr(value, args, kwargs, offset);
            }
            else return value;
        }
    }

    private Expr ParseSubscript(Expr target, int offset)
    {
        Expr? start = null, stop = null, step = null;
        if (!IsOperator(":")) start = ParseExpression();
        if (IsOperator("]")) { Advance(); return new IndexExpr(target, start!, offset); }
        Expect(TokenKind.Operator, ":");
        if (!IsOperator(":") && !IsOperator("]")) stop = ParseExpression();
        if (IsOperator(":"))
        {
            Advance();
            if (!IsOperator("]")) step = ParseExpression();
        }
        Expect(TokenKind.Operator, "]");
        return new SliceExpr(target, start, stop, step, offset);
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
                var text = Advance().Value;
                while (Current.Kind == TokenKind.String) text += Advance().Value; // adjacent literals concatenate
                return new Literal(text, token.Offset);
            case TokenKind.Integer:
                Advance();
                return new Literal(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Offset);
            case TokenKind.Float:
                Advance();
                return new Literal(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Offset);
            case TokenKind.Name:
                Advance();
                return token.Value switch
                {
                    "true" or "True" => new Literal(true, token.Offset),
                    "false" or "False" => new Literal(false, token.Offset),
                    "none" or "None" => new Literal(null, token.Offset),
                    _ when Keywords.Contains(token.Value) => throw Error($"unexpected '{token.Value}'", token.Offset),
                    _ => new NameExpr(token.Value, token.Offset),
                };
            case TokenKind.Operator when token.Value == "(":
                {
                    Advance();
                    if (IsOperator(")")) { Advance(); return new ListExpr([], token.Offset); }
                    var first = ParseExpression();
                    if (IsOperator(")")) { Advance(); return first; }
                    var items = new List<Expr> { first };
                    while (IsOperator(",")) { Advance(); if (IsOperator(")")) break; items.Add(ParseExpression()); }
                    Expect(TokenKind.Operator, ")");
                    return new ListExpr(items, token.Offset);
                }
            case TokenKind.Operator when token.Value == "[":
                {
                    Advance();
                    var items = new List<Expr>();
                    while (!IsOperator("]"))
                    {
                        items.Add(ParseExpression());
                        if (!IsOperator("]")) Expect(TokenKind.Operator, ",");
                    }
                    Advance();
                    return new ListExpr(items, token.Offset);
                }
            case TokenKind.Operator when token.Value == "{":
                {
                    Advance();
                    var items = new List<(Expr, Expr)>();
                    while (!IsOperator("}"))
                    {
                        var key = ParseExpression();
                        Expect(TokenKind.Operator, ":");
                        items.Add((key, ParseExpression()));
                        if (!IsOperator("}")) Expect(TokenKind.Operator, ",");
                    }
                    Advance();
                    return new DictExpr(items, token.Offset);
                }
            default:
                throw Error($"unexpected {token} in expression", token.Offset);
        }
    }
}
