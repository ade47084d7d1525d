#include "core/gan/gan.hpp"

#include "core/common/param_error.hpp"
#include "core/common/rng.hpp"
#include "core/network/activation_layer.hpp"
#include "core/network/dense_layer.hpp"
#include "core/network/network_builder.hpp"

namespace cbl::gan {

std::vector<int> generator_layers(const GanConfig& c, int image_size) {
    std::vector<int> layers{c.noise_size + 1};
    layers.insert(layers.end(), c.generator_hidden.begin(), c.generator_hidden.end());
    layers.push_back(image_size);
    return layers;
}

std::vector<int> discriminator_layers(const GanConfig& c, int image_size) {
    std::vector<int> layers{image_size + 1};
    layers.insert(layers.end(), c.discriminator_hidden.begin(), c.discriminator_hidden.end());
    layers.push_back(1);
    return layers;
}

namespace {

std::vector<std::pair<int, int>> shapes_of(const std::vector<int>& layers) {
    std::vector<std::pair<int, int>> shapes;
    for (std::size_t k = 1; k < layers.size(); ++k)
        shapes.emplace_back(layers[k], k == 1 ? layers[0] : layers[k - 1] + 1);
    return shapes;
}

/// dense -> relu -> ... -> dense -> sigmoid, the loss head reading the sigmoid.
template <typename Scalar>
Network<Scalar> generator_network(const std::vector<int>& layers, WeightLayers<Scalar> weights,
                                  const OptimizerConfig& optimizer, int batch_size,
                                  std::unique_ptr<LossHead<Scalar>> head) {
    typename Network<Scalar>::Nodes nodes;
    std::string last = "input";
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const std::string dense = "dense_" + std::to_string(k);
        nodes.push_back({dense,
                         {last},
                         std::make_unique<DenseLayer<Scalar>>(std::move(weights[k]), optimizer)});
        const bool output = k + 1 == weights.size();
        const Activation f = output ? Activation::sigmoid : Activation::relu;
        last = std::string(to_string(f)) + "_" + std::to_string(k);
        nodes.push_back({last, {dense}, std::make_unique<ActivationLayer<Scalar>>(f)});
    }
    return Network<Scalar>(layers.front() - 1, std::move(nodes), last, std::move(head), batch_size);
}

constexpr std::uint32_t noise_layer = 0x6a4;
constexpr const char* generator_prefix = "gan/generator/";
constexpr const char* discriminator_prefix = "gan/discriminator/";
constexpr const char* counters_name = "gan/counters";
// Inference keys of the generated images of D steps, apart from evaluation keys.
constexpr std::uint64_t fake_key = 1ull << 52;

} // namespace

std::vector<std::pair<int, int>> weight_shapes(const GanConfig& c, int image_size) {
    std::vector<std::pair<int, int>> shapes = shapes_of(generator_layers(c, image_size));
    for (const auto& s : shapes_of(discriminator_layers(c, image_size)))
        shapes.push_back(s);
    return shapes;
}

template <typename Scalar>
Gan<Scalar>::Gan(const GanConfig& config, int image_size, const OptimizerConfig& optimizer,
                 WeightLayers<Scalar> weights, std::uint64_t seed)
    : cfg_(config), seed_(seed), discriminator_([&] {
          cfg_.validate();
          const std::size_t g = cfg_.generator_hidden.size() + 1;
          if (weights.size() != g + cfg_.discriminator_hidden.size() + 1)
              throw InputError("gan: " + std::to_string(weights.size()) +
                               " weight matrices for a generator and discriminator of " +
                               std::to_string(weight_shapes(cfg_, image_size).size()));
          WeightLayers<Scalar> d;
          for (std::size_t k = g; k < weights.size(); ++k)
              d.push_back(std::move(weights[k]));
          // One D step averages over B real and B generated images.
          return build_chain<Scalar>(discriminator_layers(cfg_, image_size), "relu", std::move(d),
                                     optimizer, 2 * cfg_.batch_size,
                                     std::make_unique<SigmoidBinaryCrossEntropy<Scalar>>());
      }()),
      generator_([&] {
          weights.resize(cfg_.generator_hidden.size() + 1);
          return generator_network<Scalar>(
              generator_layers(cfg_, image_size), std::move(weights), optimizer, cfg_.batch_size,
              std::make_unique<ExternalLoss<Scalar>>(
                  [this](const Vec& x, Vec* dx) { return generator_loss(x, dx); }));
      }()) {}

template <typename Scalar>
Eigen::MatrixXf Gan<Scalar>::noise(std::uint64_t draw, int count) const {
    // The generator's input data: the dataset stream under a layer number of its own, which
    // the synthetic dataset generator does not use.
    const CounterRng rng(seed_, RngStream::dataset, noise_layer);
    const int n = cfg_.noise_size;
    Eigen::MatrixXf u(n, count);
    for (int j = 0; j < count; ++j)
        for (int k = 0; k < n; k += 4) {
            // One Philox block gives four uniforms or two pairs of normals.
            const auto r = rng.block(draw, std::uint32_t(j), std::uint32_t(k / 4));
            for (int w = 0; w < 4 && k + w < n; ++w) {
                if (cfg_.noise == "normal") {
                    const auto z = r123::boxmuller(r[w & 2], r[(w & 2) + 1]);
                    u(k + w, j) = (w & 1) ? z.y : z.x;
                } else {
                    u(k + w, j) = 2 * r123::u01<float>(r[w]) - 1;
                }
            }
        }
    return u;
}

template <typename Scalar>
double Gan<Scalar>::generator_loss(const Vec& x, Vec* dx) {
    // -log D(x): D's binary cross-entropy with the label "real" (the non-saturating loss).
    if (!dx) {
        // Evaluation: an inference read, safe beside other evaluations.
        const Matrix z =
            discriminator_.outputs(Eigen::MatrixXf(x.template cast<float>()), fake_key - 1);
        return SigmoidBinaryCrossEntropy<Scalar>().evaluate(z.col(0), 1).loss;
    }
    StepContext ctx{d_samples_++, nullptr};
    return discriminator_.input_gradient(x, 1, *dx, ctx).loss;
}

template <typename Scalar>
double Gan<Scalar>::discriminator_step(const Eigen::MatrixXf& real, const Eigen::MatrixXf& noise,
                                       double learning_rate) {
    if (real.cols() != noise.cols() || real.cols() != cfg_.batch_size)
        throw InputError("gan: a step takes gan.batch_size = " + std::to_string(cfg_.batch_size) +
                         " real images and noise vectors, got " + std::to_string(real.cols()) +
                         " and " + std::to_string(noise.cols()));
    const Eigen::MatrixXf fake = generate(noise, fake_key + steps_).template cast<float>();
    double loss = 0;
    // The network applies the mean gradient of the 2B images after the last one.
    for (int label : {1, 0})
        for (int j = 0; j < real.cols(); ++j) {
            StepContext ctx{d_samples_++, nullptr};
            loss += discriminator_
                        .train_sample(label ? real.col(j) : fake.col(j), label, learning_rate, ctx)
                        .loss;
        }
    return loss / double(2 * real.cols());
}

template <typename Scalar>
double Gan<Scalar>::generator_step(const Eigen::MatrixXf& noise, double learning_rate) {
    if (noise.cols() != cfg_.batch_size)
        throw InputError(
            "gan: a generator step takes gan.batch_size = " + std::to_string(cfg_.batch_size) +
            " noise vectors, got " + std::to_string(noise.cols()));
    double loss = 0;
    for (int j = 0; j < noise.cols(); ++j) {
        StepContext ctx{g_samples_++, nullptr};
        loss += generator_.train_sample(noise.col(j), 0, learning_rate, ctx).loss;
    }
    return loss / double(noise.cols());
}

template <typename Scalar>
StepLosses Gan<Scalar>::train_step(const Eigen::MatrixXf& real, double learning_rate) {
    StepLosses r;
    r.discriminator = discriminator_step(real, noise(2 * steps_, int(real.cols())), learning_rate);
    r.generator = generator_step(noise(2 * steps_ + 1, int(real.cols())), learning_rate);
    ++steps_;
    return r;
}

template <typename Scalar>
void Gan<Scalar>::save_state(StateArrays& out) const {
    generator_.save_state(out, generator_prefix);
    discriminator_.save_state(out, discriminator_prefix);
    put_array(out, counters_name, std::vector<std::uint64_t>{steps_, d_samples_, g_samples_}, {3});
}

template <typename Scalar>
void Gan<Scalar>::load_state(const StateArrays& in) {
    generator_.load_state(in, generator_prefix);
    discriminator_.load_state(in, discriminator_prefix);
    const auto& counters = get_array<std::uint64_t>(in, counters_name, 3);
    steps_ = counters[0];
    d_samples_ = counters[1];
    g_samples_ = counters[2];
}

template class Gan<float>;
template class Gan<double>;

} // namespace cbl::gan
