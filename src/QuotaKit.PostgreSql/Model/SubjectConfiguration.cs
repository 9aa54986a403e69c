using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QuotaKit.PostgreSql;

internal sealed class SubjectConfiguration : IEntityTypeConfiguration<Subject>
{
    public void Configure(EntityTypeBuilder<Subject> builder)
    {
        builder.ToTable(QuotaKitSchema.Subjects, QuotaKitSchema.Name);
        builder.HasKey(s => s.SubjectId).HasName("pk_subjects");
        builder.Property(s => s.SubjectId).HasColumnName("subject_id").HasMaxLength(QuotaKitSchema.SubjectIdMaxLength);
        builder.Property(s => s.PlanKey).HasColumnName("plan_key").HasMaxLength(QuotaKitSchema.FeatureKeyMaxLength);
        builder.Property(s => s.BillingAnchor).HasColumnName("billing_anchor").HasColumnType("timestamptz").HasConversion(InstantConverters.Optional);
        builder.Property(s => s.TimeZone).HasColumnName("time_zone").HasMaxLength(64);
        builder.Property(s => s.CreatedAt).HasColumnName("created_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(s => s.UpdatedAt).HasColumnName("updated_at").HasColumnType("timestamptz").HasConversion(InstantConverters.Required);
        builder.Property(s => s.ContextVersion).HasColumnName("context_version").HasDefaultValue(0L).ValueGeneratedOnAddOrUpdate();
    }
}
