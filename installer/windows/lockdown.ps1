<#
.SYNOPSIS
    Locks a Windows PC down as a kiosk of the kiosk suite (Option A in README.md).

.DESCRIPTION
    Run once, as an administrator, after the installer (KioskSuite-Kiosk-<version>-setup.exe):
      1. creates the local standard user "kiosk" (no administrator rights, random password that
         nobody needs to know) unless it exists;
      2. lets that user read the site config folder and write its data folder; nobody else but
         administrators and SYSTEM may read them (the config may hold the broker password);
      3. signs the kiosk user in automatically at every start (Sysinternals Autologon when it is
         given, which keeps the password as an LSA secret; otherwise it tells you how);
      4. enables Shell Launcher and makes the kiosk the kiosk user's shell instead of
         explorer.exe, restarted whenever it exits; administrators keep explorer.exe;
      5. enables Keyboard Filter and blocks, for the kiosk user, the keys that leave an app:
         Windows key combinations, Alt+Tab, Alt+F4, Alt+Esc, Ctrl+Esc, Ctrl+Shift+Esc (Task
         Manager) and Ctrl+Alt+Del; administrators are not filtered.
    Shell Launcher and Keyboard Filter exist in Windows 10/11 Enterprise, Education and IoT
    Enterprise only. Enabling the features may ask for a restart: run the script again after it.

    -Undo gives the PC back: explorer.exe for everybody, no key blocked, no automatic sign-in
    (the kiosk user and the config stay).

    NOT TESTED on Windows by the project's CI (it has no Windows machine): try it on one PC
    before a whole room, and keep an administrator account you can sign in with.

.EXAMPLE
    PS> Set-ExecutionPolicy -Scope Process Bypass
    PS> & "C:\Program Files\KioskSuite\lockdown\lockdown.ps1" -Autologon C:\Tools\Autologon64.exe
#>
[CmdletBinding()]
param(
    [string] $KioskUser = "kiosk",
    [string] $KioskExe = "$env:ProgramFiles\KioskSuite\kiosk\kiosk.exe",
    [string] $ConfigDir = "$env:ProgramData\KioskSuite",
    [string] $Autologon = "",
    [switch] $Undo
)

Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"
$Embedded = "root\standardcimv2\embedded"
$Winlogon = "HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon"

$principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw "Run this script from an elevated PowerShell (Run as administrator)."
}

function Enable-Feature([string] $Name) {
    $feature = Get-WindowsOptionalFeature -Online -FeatureName $Name
    if ($feature.State -ne "Enabled") {
        Write-Host "Enabling Windows feature $Name ..."
        $result = Enable-WindowsOptionalFeature -Online -FeatureName $Name -All -NoRestart
        if ($result.RestartNeeded) {
            Write-Warning "Windows must restart to finish enabling $Name. Restart, then run this script again."
            exit 3
        }
    }
}

function Get-Sid([string] $Account) {
    ([Security.Principal.NTAccount] $Account).Translate([Security.Principal.SecurityIdentifier]).Value
}

if ($Undo) {
    $shell = [wmiclass] "\\.\${Embedded}:WESL_UserSetting"
    $shell.RemoveCustomShell((Get-Sid $KioskUser)) | Out-Null
    $shell.SetEnabled($false) | Out-Null
    Get-CimInstance -Namespace $Embedded -ClassName WEKF_PredefinedKey |
        Where-Object Enabled | ForEach-Object { $_.Enabled = $false; Set-CimInstance -CimInstance $_ }
    Set-ItemProperty $Winlogon -Name AutoAdminLogon -Value "0"
    Write-Host "Undone: explorer.exe for everybody, no key blocked, no automatic sign-in."
    exit 0
}

if (-not (Test-Path $KioskExe)) { throw "$KioskExe not found: run the kiosk installer first." }
$config = Join-Path $ConfigDir "kiosk.toml"
$data = Join-Path $ConfigDir "data"
if (-not (Test-Path $config)) { throw "$config not found: run the kiosk installer first." }

# --- 1. the kiosk user --------------------------------------------------------------------------
$password = $null
if (-not (Get-LocalUser -Name $KioskUser -ErrorAction SilentlyContinue)) {
    $bytes = New-Object byte[] 24
    [Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $password = [Convert]::ToBase64String($bytes)
    New-LocalUser -Name $KioskUser -Password (ConvertTo-SecureString $password -AsPlainText -Force) `
        -FullName "Kiosk" -Description "Kiosk suite visitor session" `
        -PasswordNeverExpires -UserMayNotChangePassword | Out-Null
    Add-LocalGroupMember -SID "S-1-5-32-545" -Member $KioskUser   # Users: standard rights only
    Write-Host "Created the local standard user '$KioskUser'."
}
$kioskSid = Get-Sid $KioskUser

# --- 2. who may read the config and write the data ----------------------------------------------
# Administrators and SYSTEM: full control. The kiosk user: read the folder (kiosk.toml, ca.crt),
# change the data folder. Nobody else: the config may hold the broker password.
function Set-FolderAcl([string] $Path, [string[]] $Arguments) {
    & icacls $Path @Arguments | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "icacls $Path $Arguments failed" }
}
New-Item -ItemType Directory -Force -Path $data | Out-Null
Set-FolderAcl $ConfigDir @("/inheritance:r", "/grant:r", "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-18:(OI)(CI)F",
    "*${kioskSid}:(OI)(CI)RX")
Set-FolderAcl $data @("/grant:r", "*${kioskSid}:(OI)(CI)M")

# --- 3. automatic sign-in -----------------------------------------------------------------------
if ($password) {
    if ($Autologon) {
        & $Autologon $KioskUser $env:COMPUTERNAME $password /accepteula
        if ($LASTEXITCODE -ne 0) { throw "Autologon failed" }
        Write-Host "The PC now signs '$KioskUser' in at every start."
    } else {
        Write-Warning ("No -Autologon given. Download Sysinternals Autologon and run:`n" +
            "  Autologon64.exe $KioskUser $env:COMPUTERNAME <password> /accepteula`n" +
            "with the password below (shown once; it is needed only for this).")
        Write-Host "kiosk password: $password"
    }
} else {
    Write-Host "The user '$KioskUser' existed already: automatic sign-in left as it is."
}

# --- 4. Shell Launcher: the kiosk instead of explorer.exe for the kiosk user --------------------
Enable-Feature "Client-EmbeddedShellLauncher"
$shell = [wmiclass] "\\.\${Embedded}:WESL_UserSetting"
$restartShell = 0
$shell.SetDefaultShell("explorer.exe", $restartShell) | Out-Null
$shell.SetCustomShell("S-1-5-32-544", "explorer.exe", $null, $null, $restartShell) | Out-Null
$command = "`"$KioskExe`" --config `"$config`" --data-dir `"$data`""
# Exit 0 (staff left with their PIN) and any failure: start the kiosk again.
$shell.SetCustomShell($kioskSid, $command, $null, $null, $restartShell) | Out-Null
$shell.SetEnabled($true) | Out-Null
Write-Host "Shell Launcher: '$KioskUser' gets $command"

# --- 5. Keyboard Filter --------------------------------------------------------------------------
Enable-Feature "Client-KeyboardFilter"
$settings = Get-CimInstance -Namespace $Embedded -ClassName WEKF_Settings |
    Where-Object Name -eq "DisableKeyboardFilterForAdministrators"
if ($settings) { $settings.Value = "true"; Set-CimInstance -CimInstance $settings }

$keys = @(Get-CimInstance -Namespace $Embedded -ClassName WEKF_PredefinedKey)
$wanted = @("Alt+Tab", "Alt+F4", "Alt+Esc", "Alt+Space", "Ctrl+Esc", "Ctrl+Shift+Esc",
    "Ctrl+Alt+Del", "Ctrl+Alt+Delete", "Shift+Ctrl+Esc", "Windows", "LWin", "RWin", "Application")
$blocked = @()
foreach ($key in $keys) {
    if ($wanted -contains $key.Id -or $key.Id -like "Win+*") {
        $key.Enabled = $true
        Set-CimInstance -CimInstance $key
        $blocked += $key.Id
    }
}
foreach ($name in $wanted) {
    if (-not ($keys.Id -contains $name)) { Write-Verbose "Keyboard Filter has no predefined key '$name' here." }
}
Write-Host "Keyboard Filter blocks for non-administrators: $($blocked -join ', ')"
Write-Host "Done. Restart the PC: it signs in as '$KioskUser' and shows the kiosk."
