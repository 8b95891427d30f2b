// SingleWriterHistogram: which bucket a value lands in, sums, and merging.
#include <boost/test/unit_test.hpp>

#include "metrics/histogram.hpp"

using namespace faktory_host::metrics;

BOOST_AUTO_TEST_CASE(a_value_lands_in_the_first_bucket_whose_bound_is_not_below_it) {
    const double bounds[] = {0.1, 1, 10};
    SingleWriterHistogram h(bounds);
    h.observe(0.1);   // le="0.1" is inclusive
    h.observe(0.5);
    h.observe(10);
    h.observe(11);    // +Inf
    h.observe(-3);    // clock oddities count as 0
    const auto s = h.snapshot();
    BOOST_TEST(s.counts == (std::vector<std::uint64_t>{2, 1, 1, 1}), boost::test_tools::per_element());
    BOOST_TEST(s.count == 5u);
    BOOST_TEST(s.sum_seconds == 21.6, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(snapshots_of_the_same_buckets_merge_by_adding) {
    const double bounds[] = {1};
    SingleWriterHistogram a(bounds), b(bounds);
    a.observe(0.5);
    b.observe(2);
    b.observe(0.25);
    HistogramSnapshot total;
    total.merge(a.snapshot());
    total.merge(b.snapshot());
    BOOST_TEST(total.counts == (std::vector<std::uint64_t>{2, 1}), boost::test_tools::per_element());
    BOOST_TEST(total.count == 3u);
    BOOST_TEST(total.sum_seconds == 2.75, boost::test_tools::tolerance(1e-9));

    const double other[] = {2};
    SingleWriterHistogram c(other);
    BOOST_CHECK_THROW(total.merge(c.snapshot()), std::logic_error);
}
