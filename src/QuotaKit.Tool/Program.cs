using QuotaKit.Tool;

return await QuotaKitCli.RunAsync(args, Console.Out, Console.Error);
