using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A logger provider that keeps every formatted message with its category, from any number of hosts.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, string Message)> _entries = new();

    /// <summary>Messages logged under categories that end with <paramref name="categorySuffix"/>.</summary>
    public IReadOnlyList<string> From(string categorySuffix) =>
        _entries.Where(e => e.Category.EndsWith(categorySuffix, StringComparison.Ordinal)).Select(e => e.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string Category, string Message)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((category, formatter(state, exception)));
            }
        }
    }
}
