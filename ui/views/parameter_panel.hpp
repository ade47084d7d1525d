#pragma once
// The parameter panel (view): one editor per config field that matters for the running
// experiment, grouped, with range, unit, choices and tooltip from the core parameter schema
// (ui/shell/parameter_info). Live fields are marked green; structural ones collect as pending
// edits applied by a reset. Edits go to a ParameterController, whose verdicts show next to the
// field.
#include "ui/shell/parameter_controller.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QHash>
#include <QWidget>

class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace cbl::ui {

class ParameterPanel : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit ParameterPanel(QWidget* parent = nullptr);
    void setEngine(Engine* engine) { controller_->setEngine(engine); }
    ParameterController* controller() const { return controller_; }
    void showSnapshot(const SnapshotPtr& s) override;
    /// The same as editing the field `path` (tests, scripts).
    void applyValue(const QString& path, const nlohmann::json& value);
    QString errorText(const QString& path) const;
    QStringList paths() const { return rows_.keys(); }
    /// The editor of a field (tests).
    QWidget* editor(const QString& path) const;
    bool hasPending() const { return !controller_->pendingPaths().isEmpty(); }
    /// The bar of pending structural edits (Apply & reset, Discard), outside the scrolled
    /// fields (tests).
    QWidget* pendingBar() const { return pendingBar_; }
    QScrollArea* scrollArea() const { return scroll_; }

  Q_SIGNALS:
    /// Structural edits accepted by validation: apply them with a reset.
    void applyStructural(const cbl::ExperimentConfig& config);
    /// The device model as edited (pending included): the device explorer follows it live.
    void deviceEdited(const nlohmann::json& device);

  private:
    struct Row {
        QWidget* editor = nullptr;
        QLabel* error = nullptr;
        nlohmann::json value;
        QString label; ///< the field's name in the panel
    };
    QStringList shownPaths(const nlohmann::json& config) const;
    void rebuild(const QStringList& paths, const nlohmann::json& flat);
    void setEditorValue(Row& row, const nlohmann::json& v);
    void showVerdict(const QString& path, const QString& error);
    /// The core's message with every field path it names ("device.g_min_uS") written as the
    /// panel's label of that field, as the user knows it.
    QString inPanelWords(QString error) const;
    void updatePendingBar();

    ParameterController* controller_;
    QVBoxLayout* groupsLayout_;
    QWidget* groupsHost_ = nullptr;
    QWidget* pendingBar_;
    QScrollArea* scroll_;
    QLabel* pendingText_;
    QLabel* header_;
    QHash<QString, Row> rows_;
    QStringList layoutPaths_;
};

/// Flattens nested objects to dotted paths ("tile.peripherals.adc_bits").
void flatten_json(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out);

} // namespace cbl::ui
