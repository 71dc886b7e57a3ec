using System.Text;
using static Hearth.Tokenizers.ChatTemplates.JinjaValues;

namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>Runs a parsed template. Scopes follow Jinja: a for loop or macro call gets its own, `if` does not.</summary>
internal sealed class JinjaEvaluator
{
    private enum Flow { Normal, Break, Continue }

    private sealed class Scope(Scope? parent)
    {
        public Scope? Parent { get; } = parent;
        public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

        public bool TryGet(string name, out object? value)
        {
            for (var s = this; s is not null; s = s.Parent)
                if (s.Values.TryGetValue(name, out value)) return true;
            value = null;
            return false;
        }
    }

    private readonly string source;
    private readonly StringBuilder output = new();

    public JinjaEvaluator(string source) => this.source = source;

    public string Render(List<Stmt> template, Dictionary<string, object?> variables)
    {
        var globals = new Scope(null);
        foreach (var (k, v) in JinjaMethods.Globals()) globals.Values[k] = v;
        var scope = new Scope(globals);
        foreach (var (k, v) in variables) scope.Values[k] = v;
        output.Clear();
        Execute(template, scope);
        return output.ToString();
    }

    private Flow Execute(List<Stmt> body, Scope scope)
    {
        foreach (var statement in body)
        {
            var flow = ExecuteOne(statement, scope);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    private Flow ExecuteOne(Stmt statement, Scope scope)
    {
        try
        {
            switch (statement)
            {
                case TextStmt text: output.Append(text.Text); return Flow.Normal;
                case OutputStmt o: output.Append(ToText(Evaluate(o.Value, scope))); return Flow.Normal;
                case IfStmt s:
                    foreach (var (condition, branch) in s.Branches)
                        if (IsTruthy(Evaluate(condition, scope))) return Execute(branch, scope);
                    return s.Else is null ? Flow.Normal : Execute(s.Else, scope);
                case ForStmt f: ExecuteFor(f, scope); return Flow.Normal;
                case SetStmt s: ExecuteSet(s, scope); return Flow.Normal;
                case MacroStmt m: scope.Values[m.Name] = MakeMacro(m, scope); return Flow.Normal;
                case LoopControlStmt c: return c.IsBreak ? Flow.Break : Flow.Continue;
                default: throw new InvalidOperationException($"unknown statement {statement.GetType().Name}");
            }
        }
        catch (InvalidOperationException e)
        {
            throw JinjaErrors.At(source, statement.Offset, e.Message);
        }
    }

    private void ExecuteFor(ForStmt f, Scope scope)
    {
        var items = Iterate(Evaluate(f.Iterable, scope));
        var loopScope = new Scope(scope);
        if (f.Filter is not null)
        {
            items = items.Where(item =>
            {
                Bind(f.Targets, item, loopScope);
                return IsTruthy(Evaluate(f.Filter, loopScope));
            }).ToList();
        }
        if (items.Count == 0)
        {
            if (f.Else is not null) Execute(f.Else, scope);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            Bind(f.Targets, items[i], loopScope);
            var index = i;
            loopScope.Values["loop"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["index"] = (long)(i + 1),
                ["index0"] = (long)i,
                ["revindex"] = (long)(items.Count - i),
                ["revindex0"] = (long)(items.Count - i - 1),
                ["first"] = i == 0,
                ["last"] = i == items.Count - 1,
                ["length"] = (long)items.Count,
                ["previtem"] = i > 0 ? items[i - 1] : Undefined.Instance,
                ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Instance,
                ["cycle"] = new JinjaCallable("loop.cycle", (a, _) => a.Count == 0 ? null : a[index % a.Count]),
            };
            if (Execute(f.Body, loopScope) == Flow.Break) break;
        }
    }

    private static void Bind(List<string> targets, object? item, Scope scope)
    {
        if (targets.Count == 1) { scope.Values[targets[0]] = item; return; }
        var values = Iterate(item);
        if (values.Count != targets.Count) throw new InvalidOperationException($"cannot unpack {values.Count} values into {targets.Count} names");
        for (var i = 0; i < targets.Count; i++) scope.Values[targets[i]] = values[i];
    }

    private void ExecuteSet(SetStmt s, Scope scope)
    {
        object? value;
        if (s.Body is not null)
        {
            var saved = output.Length;
            Execute(s.Body, scope);
            value = output.ToString(saved, output.Length - saved);
            output.Length = saved;
        }
        else value = Evaluate(s.Value!, scope);

        if (s.Attribute is not null)
        {
            if (!scope.TryGet(s.Targets[0], out var target) || target is not JinjaNamespace ns)
                throw new InvalidOperationException($"cannot set attribute '{s.Attribute}' on '{s.Targets[0]}': it is not a namespace");
            ns.Values[s.Attribute] = value;
            return;
        }
        Bind(s.Targets, value, scope);
    }

    private JinjaCallable MakeMacro(MacroStmt m, Scope definitionScope) => new(m.Name, (args, kwargs) =>
    {
        var callScope = new Scope(definitionScope);
        for (var i = 0; i < m.Parameters.Count; i++)
        {
            var (name, fallback) = m.Parameters[i];
            callScope.Values[name] = i < args.Count ? args[i]
                : kwargs.TryGetValue(name, out var v) ? v
                : fallback is not null ? Evaluate(fallback, definitionScope) : Undefined.Instance;
        }
        callScope.Values["varargs"] = args.Skip(m.Parameters.Count).ToList();
        var saved = output.Length;
        Execute(m.Body, callScope);
        var text = output.ToString(saved, output.Length - saved);
        output.Length = saved;
        return text;
    });

    private object? Evaluate(Expr expression, Scope scope)
    {
        switch (expression)
        {
            case Literal l: return l.Value;
            case NameExpr n: return scope.TryGet(n.Name, out var value) ? value : Undefined.Instance;
            case ListExpr l: return l.Items.Select(i => Evaluate(i, scope)).ToList();
            case DictExpr d:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, v) in d.Items) dict[ToText(Evaluate(k, scope))] = Evaluate(v, scope);
                return dict;
            case AttributeExpr a: return GetAttribute(Evaluate(a.Target, scope), a.Name);
            case IndexExpr i: return GetItem(Evaluate(i.Target, scope), Evaluate(i.Index, scope));
            case SliceExpr s: return Slice(Evaluate(s.Target, scope), s.Start is null ? null : Evaluate(s.Start, scope),
                s.Stop is null ? null : Evaluate(s.Stop, scope), s.Step is null ? null : Evaluate(s.Step, scope));
            case CallExpr c:
                {
                    var target = Evaluate(c.Target, scope);
                    if (target is not JinjaCallable callable)
                        throw Fail(c, $"'{Describe(c.Target)}' is not callable ({TypeName(target)})");
                    var args = c.Args.Select(a => Evaluate(a, scope)).ToList();
                    var kwargs = c.Kwargs.ToDictionary(k => k.Name, k => Evaluate(k.Value, scope), StringComparer.Ordinal);
                    try { return callable.Invoke(args, kwargs); }
                    catch (JinjaRaisedException e) { throw JinjaErrors.At(source, c.Offset, e.Message); }
                    catch (InvalidCastException) { throw Fail(c, $"bad arguments to {callable.Name}"); }
                }
            case FilterExpr f:
                {
                    var target = Evaluate(f.Target, scope);
                    var args = f.Args.Select(a => Evaluate(a, scope)).ToList();
                    var kwargs = f.Kwargs.ToDictionary(k => k.Name, k => Evaluate(k.Value, scope), StringComparer.Ordinal);
                    try { return JinjaFilters.ApplyFilter(f.Name, target, args, kwargs, this); }
                    catch (InvalidOperationException e) { throw Fail(f, e.Message); }
                }
            case TestExpr t:
                {
                    var target = Evaluate(t.Target, scope);
                    var args = t.Args.Select(a => Evaluate(a, scope)).ToList();
                    try { return JinjaFilters.ApplyTest(t.Name, target, args) != t.Negated; }
                    catch (InvalidOperationException e) { throw Fail(t, e.Message); }
                }
            case UnaryExpr u:
                {
                    var operand = Evaluate(u.Operand, scope);
                    return u.Op switch
                    {
                        "not" => !IsTruthy(operand),
                        "-" => operand is long l ? (object)(-l) : operand is double d ? -d : throw Fail(u, $"bad operand for unary -: {TypeName(operand)}"),
                        _ => operand,
                    };
                }
            case BinaryExpr b: return EvaluateBinary(b, scope);
            case ConditionalExpr c:
                return IsTruthy(Evaluate(c.Condition, scope)) ? Evaluate(c.Then, scope) : c.Else is null ? Undefined.Instance : Evaluate(c.Else, scope);
            default:
                throw Fail(expression, $"unknown expression {expression.GetType().Name}");
        }
    }

    private object? EvaluateBinary(BinaryExpr b, Scope scope)
    {
        if (b.Op == "and") { var left = Evaluate(b.Left, scope); return IsTruthy(left) ? Evaluate(b.Right, scope) : left; }
        if (b.Op == "or") { var left = Evaluate(b.Left, scope); return IsTruthy(left) ? left : Evaluate(b.Right, scope); }
        var l = Evaluate(b.Left, scope);
        var r = Evaluate(b.Right, scope);
        try
        {
            return b.Op switch
            {
                "==" => AreEqual(l, r),
                "!=" => !AreEqual(l, r),
                "<" => Compare(l, r) < 0,
                ">" => Compare(l, r) > 0,
                "<=" => Compare(l, r) <= 0,
                ">=" => Compare(l, r) >= 0,
                "in" => Contains(r, l),
                "not in" => !Contains(r, l),
                "~" => ToText(l) + ToText(r),
                "+" => Add(l, r),
                "-" => Arithmetic(l, r, (x, y) => x - y, (x, y) => x - y),
                "*" => l is string s && r is long n ? string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n))) : Arithmetic(l, r, (x, y) => x * y, (x, y) => x * y),
                "/" => ToDouble(l) / ToDouble(r),
                "//" => l is long x && r is long y ? (y == 0 ? throw new InvalidOperationException("integer division by zero") : (object)(long)Math.Floor((double)x / y)) : Math.Floor(ToDouble(l) / ToDouble(r)),
                "%" => l is long x2 && r is long y2 ? (y2 == 0 ? throw new InvalidOperationException("modulo by zero") : (object)(((x2 % y2) + y2) % y2)) : ToDouble(l) % ToDouble(r),
                "**" => l is long x3 && r is long y3 && y3 >= 0 ? (object)(long)Math.Pow(x3, y3) : Math.Pow(ToDouble(l), ToDouble(r)),
                _ => throw new InvalidOperationException($"unknown operator {b.Op}"),
            };
        }
        catch (InvalidOperationException e) { throw Fail(b, e.Message); }
    }

    private static object? Add(object? l, object? r) => (l, r) switch
    {
        (string a, string b) => a + b,
        (List<object?> a, List<object?> b) => a.Concat(b).ToList(),
        _ when (IsNumber(l) || l is bool) && (IsNumber(r) || r is bool) => Arithmetic(l, r, (x, y) => x + y, (x, y) => x + y),
        _ => throw new InvalidOperationException($"cannot add {TypeName(l)} and {TypeName(r)}"),
    };

    private static object Arithmetic(object? l, object? r, Func<long, long, long> integer, Func<double, double, double> real)
    {
        if (l is bool lb) l = lb ? 1L : 0L;
        if (r is bool rb) r = rb ? 1L : 0L;
        if (l is long a && r is long b) return integer(a, b);
        return real(ToDouble(l), ToDouble(r));
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string part ? s.Contains(part, StringComparison.Ordinal) : throw new InvalidOperationException($"'in <string>' needs a string, got {TypeName(item)}"),
        List<object?> list => list.Any(x => AreEqual(x, item)),
        Dictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        null or Undefined => false,
        _ => throw new InvalidOperationException($"argument of type {TypeName(container)} is not iterable"),
    };

    public object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Dictionary<string, object?> dict:
                if (name is "items" or "keys" or "values" or "get") return JinjaMethods.Bind(dict, name);
                return dict.TryGetValue(name, out var value) ? value : Undefined.Instance;
            case JinjaNamespace ns:
                return ns.Values.TryGetValue(name, out var v) ? v : Undefined.Instance;
            default:
                return JinjaMethods.Bind(target, name) ?? (object?)Undefined.Instance;
        }
    }

    private static object? GetItem(object? target, object? index)
    {
        switch (target)
        {
            case List<object?> list when index is long i:
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : Undefined.Instance;
            case string s when index is long i:
                var runes = s.EnumerateRunes().ToList();
                if (i < 0) i += runes.Count;
                return i >= 0 && i < runes.Count ? runes[(int)i].ToString() : Undefined.Instance;
            case Dictionary<string, object?> dict:
                return dict.TryGetValue(ToText(index), out var value) ? value : Undefined.Instance;
            case JinjaNamespace ns:
                return ns.Values.TryGetValue(ToText(index), out var v) ? v : Undefined.Instance;
            default:
                return Undefined.Instance;
        }
    }

    private static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var items = target is string s ? s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList()
            : target is List<object?> list ? list : throw new InvalidOperationException($"cannot slice {TypeName(target)}");
        var count = items.Count;
        var stride = step is long st ? st : 1;
        if (stride == 0) throw new InvalidOperationException("slice step cannot be zero");
        long Clamp(object? v, long fallback)
        {
            if (v is not long x) return fallback;
            if (x < 0) x += count;
            return stride > 0 ? Math.Clamp(x, 0, count) : Math.Clamp(x, -1, count - 1);
        }
        var from = Clamp(start, stride > 0 ? 0 : count - 1);
        var to = Clamp(stop, stride > 0 ? count : -1);
        var result = new List<object?>();
        for (var i = from; stride > 0 ? i < to : i > to; i += stride) result.Add(items[(int)i]);
        return target is string ? string.Concat(result.Select(ToText)) : result;
    }

    private static string Describe(Expr e) => e switch
    {
        NameExpr n => n.Name,
        AttributeExpr a => Describe(a.Target) + "." + a.Name,
        _ => "expression",
    };

    private TemplateException Fail(Node node, string message) => JinjaErrors.At(source, node.Offset, message);
}
