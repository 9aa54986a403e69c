using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>QuotaKit on a test database: the tracker, the admin API and a controllable clock, as an app registers them.</summary>
public static class TrackerHost
{
    public static TrackerUnderTest Create(string connectionString, IClock clock, Action<QuotaKitBuilder> configure) =>
        TrackerUnderTest.Build(
            q =>
            {
                q.UseClock(clock);
                configure(q);
                q.UsePostgreSql(connectionString);
            },
            services => services.AddLogging());
}
