namespace QuotaKit.PostgreSql.Tests.Reports;

public class NearLimitReportTests : IClassFixture<ReportScenario>
{
    private readonly ReportScenario _scenario;

    public NearLimitReportTests(ReportScenario scenario)
    {
        _scenario = scenario;
    }

    [Fact]
    public async Task Subjects_at_or_above_the_share_of_their_limit_in_the_current_period_come_highest_first()
    {
        var page = await _scenario.Reports.GetNearLimitAsync("images", 80);

        // erin 3/3 = 100 %, carol 6/(5 + 2 granted) = 85.71 %. frank 1/3, alice 2/100, bob's usage was yesterday, dave is
        // unlimited, henry's images are disabled (his grant does not count): none of them.
        page.Entries.Select(e => (e.SubjectId, e.Used, e.Limit, e.Percent)).Should().Equal(
            ("erin", 3L, 3L, 100.00m), ("carol", 6L, 7L, 85.71m));
        page.HasMore.Should().BeFalse();
        page.Entries[0].PeriodEnd.Should().BeGreaterThan(_scenario.Now);
        page.Entries[0].PeriodStart.Should().BeLessThanOrEqualTo(_scenario.Now);
    }

    [Fact]
    public async Task The_threshold_is_inclusive()
    {
        (await _scenario.Reports.GetNearLimitAsync("images", 100)).Entries.Select(e => e.SubjectId).Should().Equal("erin");
        (await _scenario.Reports.GetNearLimitAsync("images", 85.71m)).Entries.Select(e => e.SubjectId).Should().Equal("erin", "carol");
        (await _scenario.Reports.GetNearLimitAsync("images", 85.72m)).Entries.Select(e => e.SubjectId).Should().Equal("erin");
    }

    [Fact]
    public async Task Pages_split_the_ordered_rows_and_say_whether_more_follow()
    {
        var first = await _scenario.Reports.GetNearLimitAsync("images", 1, page: 1, pageSize: 2);
        var second = await _scenario.Reports.GetNearLimitAsync("images", 1, page: 2, pageSize: 2);
        var third = await _scenario.Reports.GetNearLimitAsync("images", 1, page: 3, pageSize: 2);

        first.Entries.Select(e => e.SubjectId).Should().Equal("erin", "carol");
        first.HasMore.Should().BeTrue();
        second.Entries.Select(e => e.SubjectId).Should().Equal("frank", "alice");
        second.HasMore.Should().BeFalse();
        third.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Features_not_shown_as_columns_are_reported_too()
    {
        (await _scenario.Reports.GetNearLimitAsync("exports", 100)).Entries.Select(e => (e.SubjectId, e.Percent))
            .Should().Equal(("bob", 100.00m));
    }

    [Fact]
    public async Task The_SQL_function_returns_the_same_rows_as_the_API()
    {
        await using var command = _scenario.DataSource.CreateCommand("SELECT subject_id, percent FROM quotakit.near_limit('images', 80)");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, decimal)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetDecimal(1)));
        }

        rows.Should().Equal(("erin", 100.00m), ("carol", 85.71m));
    }

    [Fact]
    public async Task The_current_usage_view_lists_current_counters_with_the_limit_in_force()
    {
        await using var command = _scenario.DataSource.CreateCommand(
            "SELECT subject_id || '/' || feature_key || '=' || used || '/' || coalesce(limit_value::text, 'unlimited') FROM quotakit.current_usage ORDER BY 1");
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        // henry's disabled images stay at 0 despite his grant; bob's and gina's images were yesterday.
        rows.Should().Equal(
            "alice/images=2/100", "alice/voice-seconds=30/unlimited", "bob/exports=5/5", "bob/trial_credits=4/10", "carol/images=6/7",
            "dave/images=40/unlimited", "erin/images=3/3", "frank/images=1/3", "henry/images=3/0");
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_typed_exceptions()
    {
        var reports = _scenario.Reports;

        await reports.Invoking(r => r.GetNearLimitAsync("videos", 80)).Should().ThrowAsync<UnknownFeatureException>();
        await reports.Invoking(r => r.GetNearLimitAsync("images", -1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await reports.Invoking(r => r.GetNearLimitAsync("images", 80, page: 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await reports.Invoking(r => r.GetNearLimitAsync("images", 80, pageSize: 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await reports.Invoking(r => r.GetNearLimitAsync("images", 80, pageSize: 10_001)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Without_the_report_objects_the_report_says_how_to_create_them()
    {
        var reports = _scenario.Reports;
        await reports.DropReportObjectsAsync();
        try
        {
            var act = () => reports.GetNearLimitAsync("images", 80);

            (await act.Should().ThrowAsync<QuotaConfigurationException>()).Which.Message.Should().Contain("ApplyReportObjectsAsync");
        }
        finally
        {
            await reports.ApplyReportObjectsAsync();
        }

        (await reports.GetNearLimitAsync("images", 80)).Entries.Should().HaveCount(2);
    }
}
