using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Hearth.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
