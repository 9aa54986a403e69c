// QuotaKit web API sample: three gated endpoints, two plans, real PostgreSQL.
//
//   dotnet run --project samples/QuotaKit.Samples.WebApi                          (throwaway local PostgreSQL)
//   dotnet run --project samples/QuotaKit.Samples.WebApi -- "Host=...;..."        (an existing database)
//
// QUOTAKIT_CONNECTION_STRING works like the argument; ASP.NET Core arguments (--urls ...) follow it. The caller is
// named by the X-User-Id header (a real app takes the authenticated user's id claim, the default). "pro-..." users are
// on the pro plan. --telemetry console prints QuotaKit's spans and metrics (OpenTelemetry).
using QuotaKit;
using QuotaKit.AspNetCore;
using QuotaKit.PostgreSql;
using QuotaKit.Samples.WebApi;

await using var database = await SampleDatabase.OpenAsync(args);
var builder = WebApplication.CreateBuilder(database.RemainingArguments);

builder.Services
    .AddQuotaKit(q => q
        .AddFeature("images", PeriodPolicy.Day, f => f.Unit = "image")
        .AddFeature("pages", PeriodPolicy.Month, f => f.Unit = "page")
        .AddFeature("api_calls", PeriodPolicy.Hour, f => f.Unit = "call")
        .AddPlan("free", p => p.Limit("images", 3).Limit("pages", 20).Limit("api_calls", 10))
        .AddPlan("pro", p => p.Limit("images", 100).Limit("pages", 1000).Unlimited("api_calls"))
        .UseDefaultPlan("free")
        .UseSubjectContextResolver<PlanFromUserId>()
        .ConfigureHttpGate(http => http.SubjectResolver = QuotaSubjects.Header("X-User-Id")))
    .UsePostgreSql(database.ConnectionString, o => o.ApplyMigrationsAtStartup = true);
builder.Services.AddHealthChecks().AddQuotaKit();
// EF Core logs its probe of the migrations history table on an empty database as a failed command; QuotaKit reports
// real store failures as exceptions, so the sample keeps its console readable.
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
if (builder.Configuration["telemetry"] == "console")
{
    SampleTelemetry.AddConsoleExport(builder.Services);
}

var app = builder.Build();

// 1. Charge only on success: a failed generation (?fail=true answers 500) gives the image back.
app.MapPost("/images", (bool? fail, HttpContext http) => fail == true
        ? Results.Problem("The image model failed.", statusCode: StatusCodes.Status500InternalServerError)
        : Results.Ok(new { image = "https://example.invalid/image.png", replay = http.GetQuotaFeature()!.IsReplay }))
    .RequireQuota("images", r => r.ChargeOnlyOnSuccess = true);

// 2. The amount comes from the JSON body: {"pages": 5} consumes 5 pages of this month's allowance.
app.MapPost("/exports", (ExportRequest request) => Results.Ok(new { exported = request.Pages }))
    .RequireQuota("pages", r => r.AmountFrom(QuotaAmount.FromBody<ExportRequest>(e => e.Pages)));

// 3. A route group: every endpoint under /ai costs one API call per request.
var ai = app.MapGroup("/ai").RequireQuota("api_calls");
ai.MapPost("/summarize", () => Results.Ok(new { summary = "Short." }));
ai.MapPost("/translate", () => Results.Ok(new { translation = "Kurz." }));

app.MapQuotaUsage("/usage");
app.MapHealthChecks("/health");

app.Run();
