// elf_image_problem(): a real plugin passes; each kind of damage is named;
// hostile header values neither overflow nor read past the bytes given.
#include <boost/test/unit_test.hpp>

#include <elf.h>
#include <link.h>

#include <cstring>
#include <span>

#include "fixture_plugins.hpp"
#include "fixtures/plugins/corrupt_elf.hpp"
#include "plugins/elf_check.hpp"

namespace testing = faktory_host::testing;
using faktory_host::plugins::elf_image_problem;

namespace {

std::vector<unsigned char> good_bytes() {
    std::ifstream in(testing::fixture_plugin("good"), std::ios::binary);
    return std::vector<unsigned char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string problem_of(const std::vector<unsigned char>& bytes) { return elf_image_problem(std::span(bytes)); }

template <typename T> void poke(std::vector<unsigned char>& bytes, std::size_t offset, T value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_real_plugin_passes) { BOOST_TEST(problem_of(good_bytes()) == ""); }

BOOST_AUTO_TEST_CASE(each_kind_of_damage_is_refused_in_its_own_words) {
    for (const auto damage : testing::all_elf_damage) {
        const auto chars = testing::damaged_bytes(testing::fixture_plugin("good"), damage);
        const std::vector<unsigned char> bytes(chars.begin(), chars.end());
        const auto problem = problem_of(bytes);
        BOOST_TEST(problem.find(testing::damage_words(damage)) != std::string::npos,
                   testing::damage_name(damage) << ": " << problem);
    }
}

BOOST_AUTO_TEST_CASE(an_empty_file_or_a_bare_header_is_refused) {
    BOOST_TEST(problem_of({}).find("not an ELF file") != std::string::npos);
    auto header_only = good_bytes();
    header_only.resize(sizeof(ElfW(Ehdr)));
    BOOST_TEST(problem_of(header_only).find("truncated") != std::string::npos, problem_of(header_only));
}

BOOST_AUTO_TEST_CASE(wrong_class_and_wrong_type_are_named) {
    auto other_class = good_bytes();
    other_class[EI_CLASS] = sizeof(void*) == 8 ? ELFCLASS32 : ELFCLASS64;
    BOOST_TEST(problem_of(other_class).find("wrong class") != std::string::npos, problem_of(other_class));

    auto executable = good_bytes();
    poke<std::uint16_t>(executable, offsetof(ElfW(Ehdr), e_type), ET_EXEC);
    BOOST_TEST(problem_of(executable).find("not a shared object") != std::string::npos, problem_of(executable));
}

BOOST_AUTO_TEST_CASE(offsets_near_the_top_of_the_address_space_do_not_wrap_around) {
    auto table_far_away = good_bytes();
    poke<ElfW(Off)>(table_far_away, offsetof(ElfW(Ehdr), e_phoff), ~ElfW(Off){0} - 8);
    BOOST_TEST(problem_of(table_far_away).find("truncated") != std::string::npos, problem_of(table_far_away));

    auto segment_far_away = good_bytes();
    ElfW(Ehdr) header;
    std::memcpy(&header, segment_far_away.data(), sizeof header);
    poke<ElfW(Off)>(segment_far_away, header.e_phoff + offsetof(ElfW(Phdr), p_offset), ~ElfW(Off){0} - 16);
    BOOST_TEST(problem_of(segment_far_away).find("truncated") != std::string::npos, problem_of(segment_far_away));
}
