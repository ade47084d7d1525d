#pragma once
// Atomic replacement of a file (ARCHITECTURE.md, "Saves are atomic"): the bytes go to a temporary
// file in the target's folder, are flushed to disk, and are renamed over the target, so a crash
// or a full disk at any moment leaves either the old file or the new one, never a mixture.
#include <functional>
#include <string>
#include <string_view>

namespace cbl {

/// Fills the temporary file, given as an open read-write descriptor and as a path (for
/// libraries that open files by name, such as HDF5); throws to abandon the save.
using TempWriter = std::function<void(int fd, const std::string& temp_path)>;

/// Creates a temporary file beside `path`, lets `write` fill it, flushes it to disk and renames
/// it over `path`. Keeps the permissions of a file it replaces; when `path` is a symbolic link,
/// replaces the file it points to; refuses to replace anything but a regular file. On any failure
/// (including one thrown by `write`) removes the temporary, leaves `path` untouched and rethrows;
/// its own failures are InputErrors naming the path.
void replace_file_atomically(const std::string& path, const TempWriter& write);

/// Writes `bytes` to `path` atomically. Keeps the permissions of a file it replaces. On failure
/// removes the temporary file, leaves `path` untouched and throws InputError naming the path.
void write_file_atomically(const std::string& path, std::string_view bytes);

} // namespace cbl
