// elf_image_problem(): the ELF header and program header checks (see the header for why).
#include "plugins/elf_check.hpp"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>

namespace faktory_host::plugins {

namespace {

// The ELF class, byte order and machine of this very build: a plugin must match all three.
using Header = ElfW(Ehdr);
using ProgramHeader = ElfW(Phdr);
constexpr unsigned char this_class = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
constexpr unsigned char this_byte_order =
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;

#if defined(__x86_64__)
constexpr std::uint16_t this_machine = EM_X86_64;
#elif defined(__aarch64__)
constexpr std::uint16_t this_machine = EM_AARCH64;
#elif defined(__i386__)
constexpr std::uint16_t this_machine = EM_386;
#elif defined(__arm__)
constexpr std::uint16_t this_machine = EM_ARM;
#elif defined(__riscv)
constexpr std::uint16_t this_machine = EM_RISCV;
#elif defined(__powerpc64__)
constexpr std::uint16_t this_machine = EM_PPC64;
#elif defined(__s390x__)
constexpr std::uint16_t this_machine = EM_S390;
#else
#error "add this architecture's e_machine value to elf_check.cpp"
#endif

// Whether [offset, offset + length) lies inside a file of `size` bytes, without overflowing.
bool inside(std::uint64_t offset, std::uint64_t length, std::size_t size) {
    return offset <= size && length <= size - offset;
}

} // namespace

std::string elf_image_problem(std::span<const unsigned char> image) {
    if (image.size() < EI_NIDENT || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0)
        return "not an ELF file (no ELF magic number at its start)";
    if (image[EI_CLASS] != this_class)
        return std::string("an ELF file of the wrong class (") + (image[EI_CLASS] == ELFCLASS32 ? "32" : "64") +
               "-bit) for this " + (this_class == ELFCLASS64 ? "64" : "32") + "-bit host";
    if (image[EI_DATA] != this_byte_order) return "an ELF file of the wrong byte order for this host";
    if (image.size() < sizeof(Header))
        return "truncated: " + std::to_string(image.size()) + " bytes is shorter than an ELF header";

    Header header;  // copied out: the bytes carry no alignment promise
    std::memcpy(&header, image.data(), sizeof header);
    if (header.e_machine != this_machine)
        return "built for another machine (ELF e_machine " + std::to_string(header.e_machine) +
               ", this host is " + std::to_string(this_machine) + ")";
    if (header.e_type != ET_DYN)
        return "not a shared object (ELF type " + std::to_string(header.e_type) +
               "); build plugins as shared libraries (faktory_add_plugin)";
    if (header.e_phnum == 0) return "has no program headers, so there is nothing to load";
    if (header.e_phentsize != sizeof(ProgramHeader))
        return "has program headers of " + std::to_string(header.e_phentsize) + " bytes, expected " +
               std::to_string(sizeof(ProgramHeader));
    const std::uint64_t table_bytes = std::uint64_t{header.e_phnum} * header.e_phentsize;
    if (!inside(header.e_phoff, table_bytes, image.size()))
        return "truncated: its program header table ends past the end of the file (" +
               std::to_string(image.size()) + " bytes)";

    bool loads_something = false;
    for (std::size_t i = 0; i < header.e_phnum; ++i) {
        ProgramHeader segment;
        std::memcpy(&segment, image.data() + header.e_phoff + i * sizeof segment, sizeof segment);
        if (!inside(segment.p_offset, segment.p_filesz, image.size()))
            return "truncated: segment " + std::to_string(i) + " needs " + std::to_string(segment.p_filesz) +
                   " bytes at offset " + std::to_string(segment.p_offset) + " but the file has " +
                   std::to_string(image.size()) + " (a copy cut short, or still being written?)";
        if (segment.p_type == PT_LOAD) {
            loads_something = true;
            if (segment.p_filesz > segment.p_memsz)
                return "segment " + std::to_string(i) + " is larger in the file than in memory; the file is corrupt";
        }
    }
    if (!loads_something) return "has no loadable segment";
    return "";
}

} // namespace faktory_host::plugins
