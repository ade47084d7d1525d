#pragma once
// Atomic replacement of a file (ARCHITECTURE.md, "Saves are atomic"): the bytes go to a temporary
// file in the target's folder, are flushed to disk, and are renamed over the target, so a crash
// or a full disk at any moment leaves either the old file or the new one, never a mixture.
#include <string>
#include <string_view>

namespace cbl {

/// Writes `bytes` to `path` atomically. Keeps the permissions of a file it replaces. On failure
/// removes the temporary file, leaves `path` untouched and throws InputError naming the path.
void write_file_atomically(const std::string& path, std::string_view bytes);

} // namespace cbl
