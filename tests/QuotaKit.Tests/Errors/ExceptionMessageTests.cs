namespace QuotaKit.Tests.Errors;

/// <summary>Messages read as sentences, name what failed, and end with what to do.</summary>
public class ExceptionMessageTests
{
    [Fact]
    public void A_store_failure_joins_the_providers_message_as_a_sentence_and_says_nothing_was_written_and_what_to_do()
    {
        var failure = new QuotaStoreUnavailableException(
            "consume 1 of 'images' for subject 'u1'", outcomeUnknown: false, isTransient: true,
            new InvalidOperationException("Failed to connect to 127.0.0.1:39551"));

        failure.Message.Should().Be(
            "QuotaKit's store failed during consume 1 of 'images' for subject 'u1': Failed to connect to 127.0.0.1:39551. " +
            "Nothing was written. Retry when the store is reachable again.");
    }

    [Fact]
    public void A_store_failure_of_unknown_outcome_keeps_the_providers_full_stop_and_says_how_to_retry_safely()
    {
        var failure = new QuotaStoreUnavailableException(
            "refund 2 of 'images' for subject 'u2'", outcomeUnknown: true, isTransient: true,
            new InvalidOperationException("57P01: terminating connection due to administrator command."));

        failure.Message.Should().Be(
            "QuotaKit's store failed during refund 2 of 'images' for subject 'u2': 57P01: terminating connection due to administrator command. " +
            "The write may or may not have been applied. Retry with the same idempotency key to find out safely; without a key, a retry may count twice.");
    }

    [Fact]
    public void An_invalid_subject_says_what_a_subject_id_must_be()
    {
        new InvalidSubjectException("it is null, empty or whitespace.").Message.Should().Be(
            "Invalid subject id: it is null, empty or whitespace. Pass the id of the user, organisation, tenant or API key the " +
            "usage belongs to: 1 to 256 characters of valid Unicode, without NUL.");
    }
}
