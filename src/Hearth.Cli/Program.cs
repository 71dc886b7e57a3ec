using System.Text;
using Hearth.Cli;

Console.OutputEncoding = Encoding.UTF8;
Console.InputEncoding = Encoding.UTF8;
return HearthCli.Run(args, Console.Out, Console.Error, Console.In);
