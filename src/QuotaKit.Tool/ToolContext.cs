using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuotaKit.PostgreSql;

namespace QuotaKit.Tool;

/// <summary>
/// QuotaKit as the app registers it, built from the tool's options: the configuration file (the "QuotaKit" section, as
/// <c>BindConfiguration</c> reads it) and the connection string (option, else the environment variable, else the file's
/// <c>ConnectionStrings:Quotas</c>).
/// </summary>
internal static class ToolContext
{
    public const string ConnectionVariable = "QUOTAKIT_CONNECTION_STRING";

    /// <exception cref="QuotaConfigurationException">No connection string, or the configuration file is missing.</exception>
    public static ServiceProvider Build(string? connection, string? configPath, bool verbose)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            var full = Path.GetFullPath(configPath);
            if (!File.Exists(full))
            {
                throw new QuotaConfigurationException($"the configuration file '{full}' does not exist; pass --config with your appsettings.json.");
            }

            builder.AddJsonFile(full, optional: false);
        }
        else if (File.Exists("appsettings.json"))
        {
            builder.AddJsonFile(Path.GetFullPath("appsettings.json"), optional: false);
        }

        var configuration = builder.Build();
        var connectionString = connection
            ?? Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? configuration.GetConnectionString("Quotas");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new QuotaConfigurationException(
                $"no connection string: pass --connection \"Host=...;Database=...;Username=...\", set {ConnectionVariable}, " +
                "or add ConnectionStrings:Quotas to the configuration file.");
        }

        var services = new ServiceCollection();
        // Logs go to stderr: stdout carries the command's output (tables, reports) for pipes.
        services.AddLogging(logging => logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning));
        services.AddQuotaKit(q => q.BindConfiguration(configuration.GetSection("QuotaKit")).UsePostgreSql(connectionString));
        return services.BuildServiceProvider();
    }
}
