global using Hearth.Core;
