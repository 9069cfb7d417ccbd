; Inno Setup 6 script: KioskSuite-Kiosk-<version>-setup.exe from the PyInstaller bundle.
; Build the bundle first (README.md in this folder), then, from the repository root:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\kiosk-suite.iss
; Output: dist\KioskSuite-Kiosk-0.1.0-setup.exe
;
; Installs the kiosk into Program Files, the site config into ProgramData (kept on upgrade and
; uninstall), and the lockdown scripts. Locking the PC down is a separate, deliberate step
; (lockdown.ps1), because it changes how the kiosk user's sessions start.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Kiosk Suite - kiosk"
#define ConfigDir "{commonappdata}\KioskSuite"

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{5B0E1C7A-3F4D-4C8E-9A61-2D7F0B8C4E19}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Kiosk suite contributors
DefaultDirName={autopf}\KioskSuite
DisableDirPage=yes
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
MinVersion=10.0.17763
OutputDir=..\..\dist
OutputBaseFilename=KioskSuite-Kiosk-{#AppVersion}-setup
Compression=lzma2/fast
SolidCompression=no
; A running kiosk holds its files open: ask Windows to close it (the kiosk user should be signed
; out anyway; see README.md, "Updating").
CloseApplications=force
RestartApplications=no
UninstallDisplayIcon={app}\kiosk\kiosk.exe

[Languages]
Name: "nl"; MessagesFile: "compiler:Languages\Dutch.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[InstallDelete]
; An upgrade replaces the bundle as a whole: no file of an older Qt may stay behind.
Type: filesandordirs; Name: "{app}\kiosk"

[Files]
Source: "..\..\dist\kiosk\*"; DestDir: "{app}\kiosk"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "lockdown.ps1"; DestDir: "{app}\lockdown"; Flags: ignoreversion
Source: "shell-launcher.xml"; DestDir: "{app}\lockdown"; Flags: ignoreversion
Source: "README.md"; DestDir: "{app}"; DestName: "README-Windows.md"; Flags: ignoreversion
; The site's config: written once, never replaced by an upgrade, never removed by uninstall.
Source: "kiosk.toml"; DestDir: "{#ConfigDir}"; Flags: onlyifdoesntexist uninsneveruninstall

[Dirs]
Name: "{#ConfigDir}"; Flags: uninsneveruninstall
Name: "{#ConfigDir}\data"; Flags: uninsneveruninstall

[Icons]
; For administrators only: the kiosk user has no Start menu (Shell Launcher).
Name: "{commonprograms}\Kiosk Suite\Kiosk self-test"; Filename: "{cmd}"; \
  Parameters: "/k """"{app}\kiosk\kiosk-console.exe"" --config ""{#ConfigDir}\kiosk.toml"" --self-test"""
Name: "{commonprograms}\Kiosk Suite\Site config (kiosk.toml)"; Filename: "notepad.exe"; \
  Parameters: """{#ConfigDir}\kiosk.toml"""

[Run]
Filename: "notepad.exe"; Parameters: """{#ConfigDir}\kiosk.toml"""; \
  Description: "Open the site config (kiosk.toml)"; Flags: postinstall nowait skipifsilent unchecked
