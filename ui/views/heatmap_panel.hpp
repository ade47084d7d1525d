#pragma once
// Conductance heatmaps of one layer: G+, G- (viridis, uS), W = beta (G+ - G-) (diverging), the
// programming pulses of this epoch, with the fraction of synapses programmed, and for MCA layers
// the accumulator chi in granules eps. Clicking a cell asks to pin that synapse (its trace
// appears in the synapse-trace view). "As images" draws each output neuron's inputs as a small
// image (receptive fields) where the inputs are a square image's pixels.
#include "core/session/session_file.hpp"
#include "ui/views/receptive_fields.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QComboBox;
class QLabel;
class QTabBar;
class QCheckBox;

namespace cbl::ui {

class HeatmapView;

class HeatmapPanel : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    enum Quantity { GPlus = 0, GMinus = 1, Weight = 2, Pulses = 3, Chi = 4 };
    explicit HeatmapPanel(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    HeatmapView* heatmap() const { return view_; }
    void setLayer(int k);
    void setQuantity(Quantity q);
    /// Shows or hides the paragraph about the layer above the map (presentation mode gives its
    /// lines to the map).
    void setInfoVisible(bool on);
    /// The paragraph about the layer shown (tests).
    QString infoText() const;
    int layer() const { return layer_; }
    /// The tab drawn now (a chosen tab the layer lacks falls back to W).
    Quantity shownQuantity() const;
    /// Whether the layer shown offers this tab (χ: only MCA layers).
    bool offers(Quantity q) const;

    /// The colour hold, the layer shown and its held ranges into `gui` (a session keeps them).
    void saveScale(SessionGui& gui) const;
    /// Brings back what saveScale() wrote, for the experiment of a session being opened at
    /// `step`: taken at once if that experiment is shown, else by its first picture (a new
    /// experiment would otherwise restart the held ranges).
    void restoreScale(const SessionGui& gui, std::uint64_t step);

  Q_SIGNALS:
    void pinRequested(int layer, int row, int col);

  private:
    void redraw();
    /// Takes `restoring_` if the picture shown is of the session it belongs to.
    void takeRestoredScale();
    QString hoverText(int row, int col) const;
    /// What the pulse counts cover: "epoch", or "episode" for a deep-RL run (RlRun restarts
    /// them when an episode ends).
    QString period() const;

    QComboBox* layerBox_;
    QTabBar* tabs_;
    QCheckBox* fixedScale_;
    QCheckBox* fields_; ///< receptive fields: rows drawn as small images
    QLabel* info_;
    HeatmapView* view_;
    SnapshotPtr last_;
    int layer_ = 0;
    Quantity quantity_ = GPlus;
    /// The mosaic drawn now (invalid: the matrix as it is).
    MosaicLayout mosaic_;
    /// Sticky colour ranges: no flicker as values move.
    double gMax_ = 0, wMax_ = 0, chiMax_ = 0;
    /// A session's held scale waiting for its experiment's first picture, and that step.
    std::optional<SessionGui> restoring_;
    std::uint64_t restoringStep_ = 0;
};

} // namespace cbl::ui
