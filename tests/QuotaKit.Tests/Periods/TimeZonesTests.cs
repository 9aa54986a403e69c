
namespace QuotaKit.Tests.Periods;

public class TimeZonesTests
{
    [Fact]
    public void Finds_a_zone_by_its_iana_id()
    {
        TimeZones.Get("Australia/Melbourne").Id.Should().Be("Australia/Melbourne");
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("australia/melbourne")]
    [InlineData("AEST")]
    public void An_unknown_id_throws_naming_the_id(string id)
    {
        Action get = () => TimeZones.Get(id);

        get.Should().Throw<UnknownTimeZoneException>()
            .Where(e => e.TimeZoneId == id && e.Message.Contains($"'{id}'"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_id_throws(string? id)
    {
        Action get = () => TimeZones.Get(id!);

        get.Should().Throw<UnknownTimeZoneException>();
    }

    [Fact]
    public void Policies_take_a_zone_by_id_and_reject_unknown_ids()
    {
        PeriodPolicy.Day.InZone("Asia/Kolkata").TimeZone!.Id.Should().Be("Asia/Kolkata");

        Action inUnknownZone = () => PeriodPolicy.Day.InZone("Europe/Atlantis");

        inUnknownZone.Should().Throw<UnknownTimeZoneException>().Which.TimeZoneId.Should().Be("Europe/Atlantis");
    }
}
