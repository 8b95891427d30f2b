// The checks a plugin file's bytes must pass before dlopen sees them. The
// dynamic linker trusts the ELF header and program headers it reads: a file
// cut short (a copy still in progress, a truncated download) makes it map
// segments past the end of the file, and the first touch of such a page kills
// the process with SIGBUS. Checking the header and every segment's file range
// against the bytes actually read turns that into a refusal with a reason.
#pragma once
#include <cstddef>
#include <span>
#include <string>

namespace faktory_host::plugins {

// "" when `image` is a shared object for the machine this host was built for,
// whose program headers and segments all lie inside `image`; otherwise what is
// wrong with it, in words for the person who deployed it.
std::string elf_image_problem(std::span<const unsigned char> image);

} // namespace faktory_host::plugins
