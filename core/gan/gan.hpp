#pragma once
// A generative adversarial network (Goodfellow et al. 2014; seed 002 section 2.4, Fig. 4G-I):
// a fully connected generator G maps noise u to an image, a fully connected discriminator D maps
// an image to the logit of "real". Both are networks of the layer graph whose weight matrices
// come from the experiment's scheme, so each sits on crossbar tiles (or in full precision) like
// any other layer. They learn alternately (Algorithm 1 of Goodfellow et al. with k = 1):
//   D step: one mini-batch of B real images (label 1) and B generated ones (label 0), loss
//           L_D = mean over the 2B images of the binary cross-entropy of sigmoid(D(x))
//           = (1/2) (mean -log D(x) + mean -log(1 - D(G(u))));
//   G step: B fresh noise vectors, the non-saturating loss L_G = mean -log D(G(u)) (Goodfellow
//           et al. section 3: strong gradients early, when D rejects every fake), its gradient
//           dL/dG(u) handed back by D (Network::input_gradient) into G's backward; D's weights
//           do not move in this step.
// Hidden layers use ReLU; G's output a sigmoid, so images are in [0, 1] as the dataset's pixels.
#include "core/gan/gan_config.hpp"
#include "core/network/network.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace cbl::gan {

/// Weight-matrix shapes (outputs x inputs incl. bias): the generator's, then the
/// discriminator's, for images of `image_size` values.
std::vector<std::pair<int, int>> weight_shapes(const GanConfig& c, int image_size);
/// The generator's layer list as network.layers counts it: [noise + 1, hidden..., image].
std::vector<int> generator_layers(const GanConfig& c, int image_size);
/// The discriminator's: [image + 1, hidden..., 1].
std::vector<int> discriminator_layers(const GanConfig& c, int image_size);

/// Mean losses of one alternating step [nats].
struct StepLosses {
    double discriminator = 0; ///< L_D before its update
    double generator = 0;     ///< L_G before its update
};

template <typename Scalar>
class Gan {
  public:
    using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

    /// `weights`: one layer per weight_shapes() entry, generator first (from the scheme's
    /// factory, layer indices running on from G into D so no two share a random stream).
    Gan(const GanConfig& config, int image_size, const OptimizerConfig& optimizer,
        WeightLayers<Scalar> weights, std::uint64_t seed);
    // The generator's loss head calls back into this object.
    Gan(const Gan&) = delete;
    Gan& operator=(const Gan&) = delete;

    /// noise_size x count generator inputs of draw `draw` (keyed by seed, draw, column).
    Eigen::MatrixXf noise(std::uint64_t draw, int count) const;
    /// One alternating step on `real` (images as columns, B of them): a D step on them and B
    /// images generated from noise draw 2 t, then a G step on noise draw 2 t + 1 (t = steps()).
    StepLosses train_step(const Eigen::MatrixXf& real, double learning_rate);
    /// The D step on `real` and G(noise) (as many columns); returns L_D before the update.
    double discriminator_step(const Eigen::MatrixXf& real, const Eigen::MatrixXf& noise,
                              double learning_rate);
    /// The G step on `noise` (one column per image); returns L_G before the update.
    double generator_step(const Eigen::MatrixXf& noise, double learning_rate);
    /// Generated images (columns) for `noise`, inference reads keyed by `eval_key`.
    Matrix generate(const Eigen::MatrixXf& noise, std::uint64_t eval_key) const {
        return generator_.outputs(noise, eval_key);
    }

    std::uint64_t steps() const { return steps_; }
    /// Both networks (under gan/generator/ and gan/discriminator/) and the step and sample
    /// counters (gan/counters): with the seed, everything the draws and pulses to come depend on.
    void save_state(StateArrays& out) const;
    /// Restores what save_state wrote; InputError names a missing or mis-sized array.
    void load_state(const StateArrays& in);
    const GanConfig& config() const { return cfg_; }
    Network<Scalar>& generator() { return generator_; }
    const Network<Scalar>& generator() const { return generator_; }
    Network<Scalar>& discriminator() { return discriminator_; }
    const Network<Scalar>& discriminator() const { return discriminator_; }

  private:
    /// The generator's loss of one output x: -log D(x) through D's training reads; with dx,
    /// also dL/dx from D's backward.
    double generator_loss(const Vec& x, Vec* dx);

    GanConfig cfg_;
    std::uint64_t seed_;
    Network<Scalar> discriminator_;
    Network<Scalar> generator_;
    std::uint64_t steps_ = 0;
    std::uint64_t d_samples_ = 0, g_samples_ = 0; ///< read/pulse counters of D and G
};

extern template class Gan<float>;
extern template class Gan<double>;

} // namespace cbl::gan
