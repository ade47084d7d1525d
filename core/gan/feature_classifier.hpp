#pragma once
// The fixed classifier whose features the Fréchet distance compares (core/gan/frechet_distance):
// as FID uses an Inception network's features for natural images, the lab uses a small MNIST
// classifier of its own, trained once in fp32 and cached.
//   Architecture: 784-256-64-10 MLP, ReLU hidden layers, softmax output (layers incl. bias:
//   785-256-64-10 as network.layers counts them), Glorot-uniform initialisation keyed by seed 1,
//   Adam (lr 0.001) on mini-batches of 64, 6 epochs over the training set in an order keyed by
//   seed 1. Features: the 64 values of the penultimate layer before its ReLU.
// Trained on the run's training set and tested on its test set; the cache file is named by a
// hash of both, so another dataset trains (and caches) its own classifier.
#include "core/dataset/dataset.hpp"
#include "core/network/network.hpp"

#include <memory>
#include <string>

namespace cbl::gan {

/// Where cached classifiers live: $CROSSBARLAB_CACHE_HOME, else $XDG_CACHE_HOME/crossbarlab,
/// else ~/.cache/crossbarlab (XDG base directories).
std::string cache_home();

class FeatureClassifier {
  public:
    static constexpr const char* architecture =
        "784-256-64-10 ReLU MLP, fp32, Adam lr 0.001, batch 64, 6 epochs; features: the 64 "
        "pre-activations of the penultimate layer";
    static constexpr int feature_count = 64;

    /// The classifier of `data` (images of 784 values, 10 classes): loaded from cache_home()
    /// when cached, else trained (deterministically) and cached there.
    static FeatureClassifier for_data(const DataSplit& data);

    /// feature_count x n features of the images (columns), in parallel, reproducibly.
    Eigen::MatrixXd features(const Eigen::MatrixXf& images) const;
    /// Accuracy on the test set of the data it was made for, fraction 0..1.
    double test_accuracy() const { return accuracy_; }
    /// The cache file it was loaded from or saved to.
    const std::string& cache_file() const { return file_; }
    bool from_cache() const { return from_cache_; }

  private:
    FeatureClassifier(std::unique_ptr<Network<float>> features, double accuracy, std::string file,
                      bool from_cache)
        : net_(std::move(features)), accuracy_(accuracy), file_(std::move(file)),
          from_cache_(from_cache) {}

    std::shared_ptr<const Network<float>> net_; ///< the first two layers: image -> features
    double accuracy_;
    std::string file_;
    bool from_cache_;
};

} // namespace cbl::gan
