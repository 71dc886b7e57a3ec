namespace Hearth.Tokenizers.ChatTemplates;

/// <summary>Template syntax tree. Offset is the source position, for error messages.</summary>
internal abstract record Node(int Offset);

internal abstract record Expr(int Offset) : Node(Offset);
internal sealed record Literal(object? Value, int Offset) : Expr(Offset);
internal sealed record NameExpr(string Name, int Offset) : Expr(Offset);
internal sealed record ListExpr(List<Expr> Items, int Offset) : Expr(Offset);
internal sealed record DictExpr(List<(Expr Key, Expr Value)> Items, int Offset) : Expr(Offset);
internal sealed record AttributeExpr(Expr Target, string Name, int Offset) : Expr(Offset);
internal sealed record IndexExpr(Expr Target, Expr Index, int Offset) : Expr(Offset);
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Offset) : Expr(Offset);
internal sealed record CallExpr(Expr Target, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Offset) : Expr(Offset);
internal sealed record FilterExpr(Expr Target, string Name, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Offset) : Expr(Offset);
internal sealed record TestExpr(Expr Target, string Name, List<Expr> Args, bool Negated, int Offset) : Expr(Offset);
internal sealed record UnaryExpr(string Op, Expr Operand, int Offset) : Expr(Offset);
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Offset) : Expr(Offset);
internal sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Else, int Offset) : Expr(Offset);

internal abstract record Stmt(int Offset) : Node(Offset);
internal sealed record TextStmt(string Text, int Offset) : Stmt(Offset);
internal sealed record OutputStmt(Expr Value, int Offset) : Stmt(Offset);
internal sealed record IfStmt(List<(Expr Condition, List<Stmt> Body)> Branches, List<Stmt>? Else, int Offset) : Stmt(Offset);
internal sealed record ForStmt(List<string> Targets, Expr Iterable, Expr? Filter, List<Stmt> Body, List<Stmt>? Else, int Offset) : Stmt(Offset);
/// <summary>{% set a = x %}, {% set ns.attr = x %}, {% set a, b = x %} or a block {% set a %}...{% endset %}.</summary>
internal sealed record SetStmt(List<string> Targets, string? Attribute, Expr? Value, List<Stmt>? Body, int Offset) : Stmt(Offset);
internal sealed record MacroStmt(string Name, List<(string Name, Expr? Default)> Parameters, List<Stmt> Body, int Offset) : Stmt(Offset);
internal sealed record LoopControlStmt(bool IsBreak, int Offset) : Stmt(Offset);
