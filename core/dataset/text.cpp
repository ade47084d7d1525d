#include "core/dataset/text.hpp"

#include "core/common/param_error.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cbl {
namespace fs = std::filesystem;
namespace {

/// The whole file, or InputError naming it.
std::string read_all(const fs::path& path, const std::string& name) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw InputError(name + ": " + path.string() + " is not a readable file");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    if (!in && !in.eof()) throw InputError(name + ": cannot read " + path.string());
    return s.str();
}

/// NUL bytes or more than 1 % control characters other than tab, line and page breaks mark a
/// binary file (the fortunes' few backspace-overstrikes are far below that).
void require_plain_text(const std::string& text, const std::string& name) {
    std::size_t control = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0)
            throw InputError(name + ": not plain text (a NUL byte at offset " + std::to_string(i) +
                             ")");
        if (c < 32 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ++control;
    }
    if (control * 100 > text.size())
        throw InputError(name + ": not plain text (" + std::to_string(control) +
                         " control bytes in " + std::to_string(text.size()) + ")");
}

/// Samples of steps + 1 characters every `steps` characters of text[begin, end).
Dataset windows(const std::string& text, std::size_t begin, std::size_t end, int steps,
                const std::array<int, 256>& index, int classes) {
    Dataset d;
    const auto n = static_cast<int>((end - begin - 1) / std::size_t(steps));
    d.images.resize(steps + 1, n);
    d.labels.resize(n);
    for (int s = 0; s < n; ++s) {
        const std::size_t at = begin + std::size_t(s) * steps;
        for (int t = 0; t <= steps; ++t)
            d.images(t, s) = static_cast<float>(index[static_cast<unsigned char>(text[at + t])]);
        d.labels[s] = static_cast<std::uint8_t>(d.images(steps, s));
    }
    d.classes = classes;
    d.channels = d.height = 1;
    d.width = steps + 1;
    return d;
}

} // namespace

DataSplit text_split(const std::string& text, int steps, const std::string& name) {
    require_range("dataset.sequence_length", steps, 1, 10000, "characters");
    if (text.empty()) throw InputError(name + ": the text is empty");
    require_plain_text(text, name);
    const std::size_t need = 20 * std::size_t(steps + 1);
    if (text.size() < need)
        throw InputError(name + ": " + std::to_string(text.size()) +
                         " characters are too few for sequences of " + std::to_string(steps) +
                         " (at least " + std::to_string(need) +
                         ", so that 5 % holds one sequence)");
    const std::size_t n = text.size(), train_end = n * 90 / 100, validation_end = n * 95 / 100;
    std::array<bool, 256> seen{};
    for (std::size_t i = 0; i < train_end; ++i)
        seen[static_cast<unsigned char>(text[i])] = true;
    DataSplit split;
    std::array<int, 256> index{};
    for (int c = 0; c < 256; ++c)
        if (seen[c]) {
            index[c] = static_cast<int>(split.vocabulary.size());
            split.vocabulary.push_back(static_cast<char>(c));
        }
    int classes = static_cast<int>(split.vocabulary.size());
    // Bytes the training part never shows share one class after the known ones.
    const bool unknown = std::any_of(text.begin() + std::ptrdiff_t(train_end), text.end(),
                                     [&](char c) { return !seen[static_cast<unsigned char>(c)]; });
    if (unknown) {
        for (int c = 0; c < 256; ++c)
            if (!seen[c]) index[c] = classes;
        ++classes;
    }
    split.name = name;
    split.train = windows(text, 0, train_end, steps, index, classes);
    split.validation = windows(text, train_end, validation_end, steps, index, classes);
    split.test = windows(text, validation_end, n, steps, index, classes);
    split.description =
        name + " (" + std::to_string(n) + " characters, " + std::to_string(classes) + " symbols" +
        (unknown ? " incl. unknown" : "") + "; 90/5/5 %: " + std::to_string(split.train.size()) +
        " / " + std::to_string(split.validation.size()) + " / " +
        std::to_string(split.test.size()) + " sequences of " + std::to_string(steps) + ")";
    return split;
}

DataSplit load_text_file(const std::string& path, int steps) {
    const std::string name = "text:" + path;
    return text_split(read_all(path, name), steps, name);
}

DataSplit load_fortunes(int steps) {
    std::error_code ec;
    if (!fs::is_directory(fortunes_dir, ec))
        throw InputError(std::string("fortunes: ") + fortunes_dir +
                         " not found; install Debian's fortunes (scripts/setup.sh does) or pass "
                         "--dataset text:FILE");
    // The fortune files themselves: not their .dat indexes, not the .u8 links to them.
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(fortunes_dir, ec))
        if (e.is_regular_file() && !e.is_symlink() && !e.path().has_extension())
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string text;
    for (const fs::path& f : files)
        text += read_all(f, "fortunes");
    return text_split(text, steps, "fortunes");
}

} // namespace cbl
