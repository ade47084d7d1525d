#include "core/gan/feature_classifier.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/network/fp_layer.hpp"
#include "core/network/network_builder.hpp"
#include "core/session/atomic_file.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

namespace cbl::gan {
namespace fs = std::filesystem;

std::string cache_home() {
    if (const char* own = std::getenv("CROSSBARLAB_CACHE_HOME"); own && *own) return own;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return (fs::path(xdg) / "crossbarlab").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".cache/crossbarlab").string();
}

namespace {

const std::vector<int> layers = {785, 256, 64, 10};
constexpr std::uint64_t seed = 1;
constexpr int epochs = 6, batch = 64;
constexpr char magic[8] = {'C', 'B', 'L', 'F', 'D', 'C', '1', '\n'};

/// FNV-1a over the images and labels of both sets: names the cache file.
std::uint64_t fingerprint(const DataSplit& d) {
    std::uint64_t h = 1469598103934665603ull;
    auto add = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i)
            h = (h ^ b[i]) * 1099511628211ull;
    };
    for (const Dataset* s : {&d.train, &d.test}) {
        add(s->images.data(), std::size_t(s->images.size()) * sizeof(float));
        add(s->labels.data(), s->labels.size());
    }
    return h;
}

std::vector<Eigen::MatrixXf> train(const DataSplit& d, double& accuracy) {
    WeightLayers<float> w;
    for (std::size_t k = 0; k + 1 < layers.size(); ++k)
        w.push_back(std::make_unique<FpLayer<float>>(
            layers[k + 1], k == 0 ? layers[0] : layers[k] + 1, seed, std::uint32_t(k)));
    OptimizerConfig adam;
    adam.type = "adam";
    adam.learning_rate = 0.001;
    Network<float> net = build_chain<float>(layers, "relu", std::move(w), adam, batch);
    std::vector<int> order(d.train.size());
    const CounterRng rng(seed, RngStream::shuffle);
    std::uint64_t step = 0;
    for (int e = 0; e < epochs; ++e) {
        // Fisher-Yates keyed by (seed, epoch), as Experiment shuffles.
        std::iota(order.begin(), order.end(), 0);
        for (int i = int(order.size()) - 1; i > 0; --i)
            std::swap(
                order[i],
                order[rng.block(std::uint64_t(e), std::uint32_t(i))[0] % std::uint32_t(i + 1)]);
        for (int i : order) {
            StepContext ctx{step++, nullptr};
            net.train_sample(d.train.images.col(i), d.train.labels[i], adam.learning_rate, ctx);
        }
        StepContext ctx{step, nullptr};
        net.flush_batch(adam.learning_rate, ctx);
    }
    accuracy = net.evaluate(d.test.images, d.test.labels, 0).accuracy;
    std::vector<Eigen::MatrixXf> out;
    for (int k = 0; k < net.weight_count(); ++k)
        out.push_back(net.weight_layer(k).weights());
    return out;
}

std::string serialise(const std::vector<Eigen::MatrixXf>& w, double accuracy) {
    std::string bytes(magic, sizeof magic);
    auto put = [&](const void* p, std::size_t n) { bytes.append(static_cast<const char*>(p), n); };
    for (const Eigen::MatrixXf& m : w) {
        const std::int32_t shape[2] = {std::int32_t(m.rows()), std::int32_t(m.cols())};
        put(shape, sizeof shape);
        put(m.data(), std::size_t(m.size()) * sizeof(float));
    }
    put(&accuracy, sizeof accuracy);
    return bytes;
}

/// The cached weights and accuracy; false when the file is missing or not what it should be.
bool deserialise(const std::string& path, std::vector<Eigen::MatrixXf>& w, double& accuracy) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    const std::string bytes = s.str();
    std::size_t at = 0;
    auto get = [&](void* p, std::size_t n) {
        if (at + n > bytes.size()) return false;
        std::memcpy(p, bytes.data() + at, n);
        at += n;
        return true;
    };
    char head[sizeof magic];
    if (!get(head, sizeof head) || std::memcmp(head, magic, sizeof magic) != 0) return false;
    w.clear();
    for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
        std::int32_t shape[2];
        const int cols = k == 0 ? layers[0] : layers[k] + 1;
        if (!get(shape, sizeof shape) || shape[0] != layers[k + 1] || shape[1] != cols)
            return false;
        Eigen::MatrixXf m(shape[0], shape[1]);
        if (!get(m.data(), std::size_t(m.size()) * sizeof(float))) return false;
        w.push_back(std::move(m));
    }
    return get(&accuracy, sizeof accuracy) && at == bytes.size();
}

} // namespace

FeatureClassifier FeatureClassifier::for_data(const DataSplit& d) {
    if (d.train.features() != 784 || d.train.classes != 10)
        throw InputError("Fréchet distance: the feature classifier takes 28x28 images of 10 "
                         "classes (MNIST); " +
                         d.name + " has " + std::to_string(d.train.features()) + " values and " +
                         std::to_string(d.train.classes) + " classes");
    char name[64];
    std::snprintf(name, sizeof name, "fd-classifier-%016llx.bin",
                  static_cast<unsigned long long>(fingerprint(d)));
    const std::string file = (fs::path(cache_home()) / name).string();
    std::vector<Eigen::MatrixXf> w;
    double accuracy = 0;
    const bool cached = deserialise(file, w, accuracy);
    if (!cached) {
        w = train(d, accuracy);
        // A cache that cannot be written costs a retraining next time, nothing else.
        std::error_code ec;
        fs::create_directories(cache_home(), ec);
        try {
            write_file_atomically(file, serialise(w, accuracy));
        } catch (const InputError&) {
        }
    }
    // The features: the first two layers of the chain, without the last ReLU.
    WeightLayers<float> first;
    for (int k = 0; k < 2; ++k) {
        auto layer = std::make_unique<FpLayer<float>>(int(w[k].rows()), int(w[k].cols()), seed,
                                                      std::uint32_t(k));
        layer->mutable_weights() = w[k];
        first.push_back(std::move(layer));
    }
    auto net = std::make_unique<Network<float>>(build_chain<float>(
        {layers[0], layers[1], layers[2]}, "relu", std::move(first), OptimizerConfig{}, 1));
    return FeatureClassifier(std::move(net), accuracy, file, cached);
}

Eigen::MatrixXd FeatureClassifier::features(const Eigen::MatrixXf& images) const {
    Eigen::MatrixXd out(feature_count, images.cols());
    constexpr int chunk = 256;
    const int chunks = int((images.cols() + chunk - 1) / chunk);
    // Fixed chunks: the same values whatever the thread count (full precision: no read noise).
    tbb::parallel_for(0, chunks, [&](int b) {
        const int c0 = b * chunk, m = std::min<int>(chunk, int(images.cols()) - c0);
        out.middleCols(c0, m) = net_->outputs(images.middleCols(c0, m), 0).cast<double>();
    });
    return out;
}

} // namespace cbl::gan
