#pragma once
// A labelled image set ready for the network: pixels scaled to [0, 1] as in seed 002, one column
// per sample. The bias input (seed 002: 784 pixels + 1 bias = 785 inputs) is appended by the
// network, not stored here.
#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace cbl {

struct Dataset {
    /// features x samples, values in [0, 1]; features in channel-major order (C x H x W)
    Eigen::MatrixXf images;
    std::vector<std::uint8_t> labels; ///< one class index per sample
    int classes = 10;
    int channels = 1, height = 28, width = 28; ///< image shape (features = C H W)

    int size() const { return static_cast<int>(labels.size()); }
    int features() const { return static_cast<int>(images.rows()); }
    /// The first n samples (n >= size() keeps all).
    Dataset head(int n) const;
};

/// Training and test sets plus where they came from.
struct DataSplit {
    std::string name;        ///< "fashion-mnist", "synthetic", or the folder
    std::string description; ///< one line for logs and the GUI
    Dataset train;
    Dataset test;
    Dataset validation;     ///< text only (core/dataset/text.hpp); empty for image sets
    std::string vocabulary; ///< text only: the character of each class index
};

/// How to obtain data (CLI.md: --dataset, --holdout, --train-limit, --test-limit).
struct DatasetSpec {
    /// "fashion-mnist", "mnist" (the full 60k/10k set, fetched once by scripts/fetch-mnist.sh),
    /// "synthetic", a folder path, "text:FILE" (plain text) or "fortunes" (Debian's fortunes as
    /// text)
    std::string source = "fashion-mnist";
    int holdout = 2000;  ///< test samples split off when a folder holds one images/labels pair
    int train_limit = 0; ///< 0 = all
    int test_limit = 0;  ///< 0 = all
    int synthetic_train = 6000;
    int synthetic_test = 1000;
    std::uint64_t seed = 1; ///< synthetic generator seed
    /// Text sources: characters per sample, the truncated-BPTT window (core/dataset/text.hpp).
    int sequence_length = 50;

    bool operator==(const DatasetSpec&) const = default;
};

/// Whether `source` names plain text for a character model ("text:FILE" or "fortunes").
inline bool is_text_source(const std::string& source) {
    return source.starts_with("text:") || source == "fortunes";
}

/// Where Debian's dataset-fashion-mnist installs its files.
inline constexpr const char* fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

/// The per-user data folder: $CROSSBARLAB_DATA_HOME, else $XDG_DATA_HOME/crossbarlab, else
/// ~/.local/share/crossbarlab (XDG base directories).
std::string data_home();
/// Where the full MNIST lives once fetched (data_home()/mnist).
std::string mnist_dir();

/// Loads the data named by `spec`; throws InputError naming the path and the problem.
DataSplit load_dataset(const DatasetSpec& spec);

/// Ten classes of 28x28 stroke patterns with jitter and noise: no files needed, deterministic.
Dataset make_synthetic(int samples, std::uint64_t seed, std::uint64_t index_offset = 0);

} // namespace cbl
